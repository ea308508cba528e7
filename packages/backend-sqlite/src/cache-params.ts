/** Default period of the background sweep of expired entries (ms). */
export const DEFAULT_SWEEP_MS = 30_000;

/** Named parameters of the cache statements (`cache-sql.ts`). */
export interface CacheParams {
  ns: string;
  key: string | null;
  value: string | null;
  expires: number | null;
  now: number;
  by: number;
  from: string;
  limit: number;
}

/**
 * Parameters for a statement on namespace `ns`, stamped with the current time.
 *
 * @example
 * ```ts
 * shared.prepare(Q.DELETE).pluck().all(cacheParams("hits", "home"));
 * ```
 */
export function cacheParams(
  ns: string,
  key: string | null = null,
  value: string | null = null,
  expires: number | null = null,
): CacheParams {
  return { ns, key, value, expires, now: Date.now(), by: 0, from: "", limit: 0 };
}
