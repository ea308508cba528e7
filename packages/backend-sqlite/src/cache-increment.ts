import type { CacheValues } from "@core/protocols/kit";
import { invalidArgument } from "@core/protocols/kit";
import type { CacheParams } from "./cache-params.js";
import * as Q from "./cache-sql.js";
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";

/**
 * Increments in one statement (`incrementSql`), for codecs that store integers as their
 * decimal text; when no row comes back, reads the entry to say why.
 *
 * @example
 * ```ts
 * const next = incrementInSql(shared, values, Q.INCREMENT, { ...p, by: 1 });
 * ```
 */
export function incrementInSql(
  shared: SqliteShared,
  values: CacheValues,
  incrementSql: string,
  p: CacheParams,
): number {
  const text = shared.prepare(incrementSql).pluck().all(p)[0] as string | undefined;
  if (text !== undefined) return values.decode(text) as number;
  // No row back: a live entry that is not a safe integer, or the sum would leave the range.
  const row = shared.prepare(Q.GET).get(p.ns, p.key) as { value: string } | undefined;
  values.increment(p.key as string, row?.value, p.by); // throws and says which
  throw invalidArgument(BACKEND, `cannot increment ${JSON.stringify(p.key)}`);
}

/**
 * Increments by reading, decoding and writing back in one write transaction, for codecs
 * whose stored text SQL cannot add to.
 *
 * @example
 * ```ts
 * const next = incrementInTransaction(shared, values, Q.SET, { ...p, by: 1 });
 * ```
 */
export function incrementInTransaction(
  shared: SqliteShared,
  values: CacheValues,
  setSql: string,
  p: CacheParams,
): number {
  return shared.write(() => {
    const row = shared.prepare(Q.GET).get(p.ns, p.key) as { value: string; expires_at: number | null } | undefined;
    const live = row !== undefined && (row.expires_at === null || row.expires_at > p.now);
    const next = values.increment(p.key as string, live ? row.value : undefined, p.by);
    const expires = live ? row.expires_at : p.expires;
    shared.prepare(setSql).run(p.ns, p.key, values.encode(next), expires, p.ns);
    return next;
  });
}
