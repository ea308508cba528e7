import {
  assertPlainObject,
  assertTtl,
  type CacheOptions,
  type Codec,
  checkCodec,
  describeValue,
  invalidArgument,
} from "@core/protocols";
import { BACKEND } from "./errors.js";

/** Default period of the background sweep of expired entries (ms). */
export const DEFAULT_SWEEP_MS = 30_000;

/** Cache options after validation, defaults applied. */
export interface CheckedCacheOptions {
  defaultTtlMs: number | undefined;
  maxEntries: number | undefined;
  sweepIntervalMs: number;
  codec: Codec;
}

/**
 * Validates `cache(name, options)` options and applies defaults (no TTL, no entry limit,
 * {@link DEFAULT_SWEEP_MS}, the JSON codec).
 *
 * @example
 * ```ts
 * const checked = checkCacheOptions({ maxEntries: 1000 }); // sweepIntervalMs: 30_000
 * ```
 */
export function checkCacheOptions(options: CacheOptions | undefined): CheckedCacheOptions {
  if (options === undefined) {
    return {
      defaultTtlMs: undefined,
      maxEntries: undefined,
      sweepIntervalMs: DEFAULT_SWEEP_MS,
      codec: checkCodec(BACKEND, undefined),
    };
  }
  assertPlainObject(BACKEND, options as unknown, "cache options");
  const { defaultTtlMs, maxEntries, sweepIntervalMs } = options;
  assertTtl(BACKEND, defaultTtlMs);
  if (
    maxEntries !== undefined &&
    (typeof maxEntries !== "number" || !Number.isSafeInteger(maxEntries) || maxEntries < 1)
  ) {
    throw invalidArgument(BACKEND, `maxEntries must be a positive integer, got ${describeValue(maxEntries)}`);
  }
  if (
    sweepIntervalMs !== undefined &&
    (typeof sweepIntervalMs !== "number" || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs <= 0)
  ) {
    throw invalidArgument(BACKEND, `sweepIntervalMs must be a positive number, got ${describeValue(sweepIntervalMs)}`);
  }
  return {
    defaultTtlMs,
    maxEntries,
    sweepIntervalMs: sweepIntervalMs ?? DEFAULT_SWEEP_MS,
    codec: checkCodec(BACKEND, options.codec),
  };
}

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
