import type { CacheParams } from "./cache-params.js";
import * as Q from "./cache-sql.js";
import type { SqliteShared } from "./shared.js";

/** One entry of a batch write, encoded: key, stored text, expiry (epoch ms) or null. */
export type StoredRow = readonly [key: string, text: string, expires: number | null];

/**
 * Upserts `all` into namespace `p.ns`, {@link Q.SET_AT_ROWS} per statement, with recency
 * values in batch order (the last row is the most recent); `touch` also refreshes the
 * recency of existing rows (maxEntries). Call inside the write transaction.
 *
 * @example
 * ```ts
 * shared.write(() => writeCacheRows(shared, cacheParams("sessions"), [["a", '"x"', null]], false));
 * ```
 */
export function writeCacheRows(shared: SqliteShared, p: CacheParams, all: readonly StoredRow[], touch: boolean): void {
  // The write lock is held: no other writer can take these recency values meanwhile.
  let access = shared.prepare(Q.NEXT_ACCESS_VALUE).pluck().get(p) as number;
  for (let from = 0; from < all.length; from += Q.SET_AT_ROWS) {
    const rows = Math.min(Q.SET_AT_ROWS, all.length - from);
    const params: unknown[] = new Array(rows * 5);
    for (let i = 0; i < rows; i++) {
      const [key, text, expires] = all[from + i] as StoredRow;
      params[i * 5] = p.ns;
      params[i * 5 + 1] = key;
      params[i * 5 + 2] = text;
      params[i * 5 + 3] = expires;
      params[i * 5 + 4] = access++;
    }
    shared.prepare(Q.setAtRows(rows, touch)).run(params);
  }
}
