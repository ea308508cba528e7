import { type Codec, describeValue, invalidArgument } from "@core/protocols";
import type { CacheParams } from "./cache-options.js";
import * as Q from "./cache-sql.js";
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";
import { decodeWith, encodeWith } from "./values.js";

/**
 * Increments in one statement (`incrementSql`), for codecs that store integers as their
 * decimal text; when no row comes back, reads the entry to say why.
 *
 * @example
 * ```ts
 * const next = incrementInSql(shared, codec, Q.INCREMENT, { ...p, by: 1 });
 * ```
 */
export function incrementInSql(shared: SqliteShared, codec: Codec, incrementSql: string, p: CacheParams): number {
  const text = shared.prepare(incrementSql).pluck().all(p)[0] as string | undefined;
  if (text !== undefined) return decodeWith(codec, text) as number;
  // No row back: a live entry that is not a safe integer, or the sum would leave the range.
  const row = shared.prepare(Q.GET).get(p.ns, p.key) as { value: string } | undefined;
  const stored = row === undefined ? undefined : decodeWith(codec, row.value);
  return refuse(p, stored);
}

/**
 * Increments by reading, decoding and writing back in one write transaction, for codecs
 * whose stored text SQL cannot add to.
 *
 * @example
 * ```ts
 * const next = incrementInTransaction(shared, codec, Q.SET, { ...p, by: 1 });
 * ```
 */
export function incrementInTransaction(shared: SqliteShared, codec: Codec, setSql: string, p: CacheParams): number {
  return shared.write(() => {
    const row = shared.prepare(Q.GET).get(p.ns, p.key) as { value: string; expires_at: number | null } | undefined;
    const live = row !== undefined && (row.expires_at === null || row.expires_at > p.now);
    const current = live ? decodeWith(codec, row.value) : 0;
    if (typeof current !== "number" || !Number.isSafeInteger(current) || !Number.isSafeInteger(current + p.by)) {
      return refuse(p, current);
    }
    const next = current + p.by;
    const expires = live ? row.expires_at : p.expires;
    shared.prepare(setSql).run(p.ns, p.key, encodeWith(codec, next), expires, p.ns);
    return next;
  });
}

function refuse(p: CacheParams, stored: unknown): never {
  const key = JSON.stringify(p.key);
  if (typeof stored === "number" && Number.isSafeInteger(stored)) {
    throw invalidArgument(BACKEND, `incrementing ${key} by ${p.by} leaves the safe integer range`);
  }
  throw invalidArgument(BACKEND, `cannot increment ${key}: it holds ${describeValue(stored)}, not an integer`);
}
