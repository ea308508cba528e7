import { encodeCursor, isAfterCursor } from "./cursor.js";
import { compareRecords, matchesFilter } from "./filter.js";
import type { NormalizedCountQuery, NormalizedQuery } from "./record-query-validation.js";
import type { Cursor, StoredRecord } from "./records.js";

/** The records of one page and the cursor after it. */
export interface SelectedPage<R extends StoredRecord = StoredRecord> {
  records: R[];
  next: Cursor | null;
}

/**
 * Runs a normalized query over records held in memory (memory, file and redis backends):
 * layer and conditions, `compareRecords` order, keyset `after`, `offset`, `limit`. `next`
 * is `null` exactly when no matching record follows the page. Returns the caller's objects
 * (copy them before handing them out).
 *
 * @example
 * ```ts
 * const { records, next } = selectPage(map.values(), normalizeQuery("memory", q, maxLimit));
 * ```
 */
export function selectPage<R extends StoredRecord>(records: Iterable<R>, query: NormalizedQuery): SelectedPage<R> {
  const { layer, conditions, ordering, after, offset, limit } = query;
  const matching: R[] = [];
  for (const record of records) {
    if (layer !== undefined && record.layer !== layer) continue;
    if (!matchesFilter(record, conditions)) continue;
    if (after !== undefined && !isAfterCursor(record, after, ordering)) continue;
    matching.push(record);
  }
  matching.sort((a, b) => compareRecords(a, b, ordering));
  const page = matching.slice(offset, offset + limit);
  const last = page.at(-1);
  const next = last !== undefined && matching.length > offset + limit ? encodeCursor(ordering, last) : null;
  return { records: page, next };
}

/**
 * Counts records held in memory that match a normalized count query.
 *
 * @example
 * ```ts
 * const n = countMatching(map.values(), normalizeCountQuery("memory", { layer: "gold" }));
 * ```
 */
export function countMatching(records: Iterable<StoredRecord>, query: NormalizedCountQuery): number {
  let n = 0;
  for (const record of records) {
    if (query.layer !== undefined && record.layer !== query.layer) continue;
    if (matchesFilter(record, query.conditions)) n += 1;
  }
  return n;
}
