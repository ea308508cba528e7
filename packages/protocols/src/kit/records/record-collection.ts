import { encodeCursor, isAfterCursor } from "../../cursor.js";
import { compareCodePoints, compareRecords, matchesFilter, type Ordering } from "../../filter.js";
import type { NormalizedCountQuery, NormalizedQuery } from "../../record-query-validation.js";
import { countMatching, type SelectedPage, selectPage } from "../../record-select.js";
import type { Layer, Sighting, StoredRecord } from "../../records.js";
import { SortedList } from "./sorted-list.js";

// Sorted views of orderings by content or metadata are kept until the next write; a few are plenty.
const MAX_VIEWS = 8;

type KeptRoot = "createdAt" | "updatedAt" | "naturalKey";

// Ascending order of each kept ordering, ties by id: the order compareRecords gives.
const byId = (a: StoredRecord, b: StoredRecord) => compareCodePoints(a.id, b.id);
const COMPARE: Record<KeptRoot, (a: StoredRecord, b: StoredRecord) => number> = {
  naturalKey: (a, b) => compareCodePoints(a.naturalKey, b.naturalKey) || byId(a, b),
  createdAt: (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || byId(a, b),
  updatedAt: (a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || byId(a, b),
};

/** One kept order: the records of one layer (or all) in one built-in ordering, ascending. */
interface RecordIndex {
  readonly key: string;
  readonly layer: Layer | undefined;
  readonly list: SortedList<StoredRecord>;
  /** Writes since its last query. */
  writes: number;
}

// An order not queried for half as many writes as it holds records (and at least this
// many) is dropped: a write-heavy phase stops paying for orders nobody reads, and each
// rebuild (one sort) is paid for by at least size/2 writes, so writes stay O(log n).
const MIN_WRITES_BEFORE_DROP = 1000;

/**
 * One collection's data, shared by every handle with the same name: records by id, the
 * natural-key index, sightings, and sorted orders of the built-in orderings (overall and
 * per layer), so a keyset page is a seek and a walk: the ids always (a same-layer update
 * touches no index), createdAt, updatedAt and naturalKey from their first query on, then
 * updated by every write. Orderings by content or metadata use sorted views cached until
 * the next write.
 *
 * @example
 * ```ts
 * const c = new RecordCollection();
 * c.put(record.id, undefined, record);
 * c.page(normalizeQuery("memory", { limit: 10 }, 1000));
 * ```
 */
export class RecordCollection {
  readonly byId = new Map<string, StoredRecord>();
  /** naturalKey → id of the record holding it. */
  readonly byNaturalKey = new Map<string, string>();
  /** naturalKey → sightings, oldest first. */
  readonly sightings = new Map<string, Sighting[]>();
  readonly #ids = new SortedList<string>(compareCodePoints);
  readonly #layers = new Map<Layer, SortedList<string>>();
  /** Kept orders by `root` or `root layer`. */
  readonly #indexes = new Map<string, RecordIndex>();
  /** The same orders as a list, for writes. */
  readonly #kept: RecordIndex[] = [];
  /** Ordering key → records in that order, valid until the next write. */
  readonly #views = new Map<string, StoredRecord[]>();
  /** Orderings queried once since the last write: the second query builds the view. */
  readonly #asked = new Set<string>();

  /** Replaces the record `id` (`prev` → `next`; `undefined` = absent), keeping every index. */
  put(id: string, prev: StoredRecord | undefined, next: StoredRecord | undefined): void {
    if (next === undefined) this.byId.delete(id);
    else this.byId.set(id, next);
    if (prev === undefined) {
      // Stryker disable next-line ConditionalExpression: put(id, undefined, undefined) never happens
      if (next !== undefined) this.#ids.insert(id);
    } else if (next === undefined) {
      this.#ids.delete(id);
    }
    // Stryker disable next-line ConditionalExpression: removing and re-adding an id in the same layer index changes nothing
    if (prev?.layer !== next?.layer) {
      if (prev !== undefined) this.#layer(prev.layer).delete(id);
      if (next !== undefined) this.#layer(next.layer).insert(id);
    }
    if (this.#kept.length > 0) this.#keepUp(prev, next);
    this.#written();
  }

  // Moves `prev` → `next` in every kept order; drops the ones writes went by unread.
  #keepUp(prev: StoredRecord | undefined, next: StoredRecord | undefined): void {
    let expired = false;
    for (const index of this.#kept) {
      const { layer, list } = index;
      const had = prev !== undefined && (layer === undefined || prev.layer === layer);
      const has = next !== undefined && (layer === undefined || next.layer === layer);
      if (had && has) list.replace(prev, next);
      else if (had) list.delete(prev);
      else if (has) list.insert(next!);
      index.writes += 1;
      if (index.writes > MIN_WRITES_BEFORE_DROP && index.writes * 2 > list.size) expired = true;
    }
    if (expired) this.#dropUnread();
  }

  /** Removes every record and sighting; returns the number of records removed. */
  clear(): number {
    const removed = this.byId.size;
    this.byId.clear();
    this.byNaturalKey.clear();
    this.sightings.clear();
    this.#ids.clear();
    this.#layers.clear();
    this.#indexes.clear();
    this.#kept.length = 0;
    this.#written();
    return removed;
  }

  /**
   * Adds a sighting, oldest first by `seenAt` (equal times keep arrival order); true when
   * it is the first for its natural key.
   */
  sight(s: Sighting): boolean {
    const list = this.sightings.get(s.naturalKey);
    if (list === undefined) {
      this.sightings.set(s.naturalKey, [s]);
      return true;
    }
    let i = list.length;
    while (i > 0 && list[i - 1]!.seenAt.getTime() > s.seenAt.getTime()) i -= 1;
    list.splice(i, 0, s);
    return false;
  }

  /** Runs a normalized query: the same result as `selectPage` over every record. */
  page(query: NormalizedQuery): SelectedPage<StoredRecord> {
    const { ordering, layer } = query;
    const { root, path } = ordering.parsed;
    if (root === "id") {
      const ids = layer === undefined ? this.#ids : this.#layers.get(layer);
      if (ids === undefined) return { records: [], next: null };
      return this.#walk(this.#byIdOrder(ids, query), query, false);
    }
    if (path.length === 0 && Object.hasOwn(COMPARE, root)) {
      const index = this.#index(root as KeptRoot, layer);
      if (index === undefined) return { records: [], next: null };
      return this.#walk(this.#inOrder(index.list, query), query, false);
    }
    const view = this.#view(ordering);
    // Stryker disable next-line ConditionalExpression: selectPage and the sorted view give the same page (performance only)
    if (view === undefined) return selectPage(this.byId.values(), query);
    let start = 0;
    const after = query.after;
    if (after !== undefined) {
      // The view is in query order, so "after the cursor" is a suffix of it.
      let hi = view.length;
      while (start < hi) {
        const mid = (start + hi) >>> 1;
        if (isAfterCursor(view[mid]!, after, ordering)) hi = mid;
        else start = mid + 1;
      }
    }
    return this.#walk(slice(view, start), query, layer !== undefined);
  }

  /** Counts records matching a normalized count query. */
  count(query: NormalizedCountQuery): number {
    if (query.conditions.length === 0) {
      return query.layer === undefined ? this.byId.size : (this.#layers.get(query.layer)?.size ?? 0);
    }
    return countMatching(this.byId.values(), query);
  }

  // Records in id order (ascending or descending as the query asks), from after the cursor.
  *#byIdOrder(ids: SortedList<string>, query: NormalizedQuery): Generator<StoredRecord> {
    const { after, ordering } = query;
    const byId = this.byId;
    if (ordering.descending) {
      // Stored ascending: the records after a descending cursor are a prefix, walked backwards.
      const before =
        after === undefined ? ids.end() : ids.firstWhere((id) => !isAfterCursor(byId.get(id)!, after, ordering));
      for (const id of ids.descending(before)) yield byId.get(id)!;
    } else {
      const from =
        after === undefined ? ids.start() : ids.firstWhere((id) => isAfterCursor(byId.get(id)!, after, ordering));
      for (const id of ids.ascending(from)) yield byId.get(id)!;
    }
  }

  // Records in the query's order (the list ascending or descending), from after the cursor.
  *#inOrder(list: SortedList<StoredRecord>, query: NormalizedQuery): Generator<StoredRecord> {
    const { after, ordering } = query;
    if (ordering.descending) {
      // Kept ascending: the records after a descending cursor are a prefix, walked backwards.
      const before = after === undefined ? list.end() : list.firstWhere((r) => !isAfterCursor(r, after, ordering));
      yield* list.descending(before);
    } else {
      yield* list.ascending(
        after === undefined ? list.start() : list.firstWhere((r) => isAfterCursor(r, after, ordering)),
      );
    }
  }

  // Filters, skips `offset`, takes `limit`, and looks one match further for `next`.
  #walk(records: Iterable<StoredRecord>, query: NormalizedQuery, checkLayer: boolean): SelectedPage<StoredRecord> {
    const { conditions, layer, limit, ordering } = query;
    let skip = query.offset;
    const page: StoredRecord[] = [];
    for (const record of records) {
      if (checkLayer && record.layer !== layer) continue;
      if (conditions.length > 0 && !matchesFilter(record, conditions)) continue;
      if (skip > 0) {
        skip -= 1;
        continue;
      }
      if (page.length === limit) return { records: page, next: encodeCursor(ordering, page[limit - 1]!) };
      page.push(record);
    }
    return { records: page, next: null };
  }

  // Stryker disable BlockStatement,ConditionalExpression,EqualityOperator,LogicalOperator,BooleanLiteral,ArithmeticOperator,StringLiteral: whether and when a sorted view is built and reused is performance only; without one, page() falls back to selectPage, which gives the same page (the sort itself stays mutated)
  // The records sorted for `ordering`, or undefined the first time it is asked since a write.
  #view(ordering: Ordering): StoredRecord[] | undefined {
    const key = `${ordering.descending ? "-" : ""}${ordering.field}`;
    let view = this.#views.get(key);
    if (view !== undefined) return view;
    // One query sorts only its matches (selectPage); paging on builds the whole view once.
    if (!this.#asked.has(key) || this.#views.size >= MAX_VIEWS) {
      if (this.#asked.size >= 4 * MAX_VIEWS) this.#asked.clear();
      this.#asked.add(key);
      return undefined;
    }
    view = [...this.byId.values()].sort((a, b) => compareRecords(a, b, ordering));
    this.#views.set(key, view);
    return view;
  }
  // Stryker restore all

  // The kept order of `root` for `layer` (or all), built on its first query; undefined for
  // a layer that has never held a record.
  #index(root: KeptRoot, layer: Layer | undefined): RecordIndex | undefined {
    const found = this.#indexes.get(layer === undefined ? root : `${root} ${layer}`);
    if (found !== undefined) {
      found.writes = 0;
      return found;
    }
    if (layer !== undefined && !this.#layers.has(layer)) return undefined;
    const records: StoredRecord[] = [];
    for (const r of this.byId.values()) if (layer === undefined || r.layer === layer) records.push(r);
    return this.#keep(root, layer, records.sort(COMPARE[root]));
  }

  #keep(root: KeptRoot, layer: Layer | undefined, sorted: StoredRecord[]): RecordIndex {
    const key = layer === undefined ? root : `${root} ${layer}`;
    const index = { key, layer, list: SortedList.fromSorted(COMPARE[root], sorted), writes: 0 };
    this.#indexes.set(key, index);
    this.#kept.push(index);
    return index;
  }

  // Drops the orders that writes have paid for longer than a rebuild would cost.
  #dropUnread(): void {
    const kept = this.#kept;
    for (let i = kept.length - 1; i >= 0; i--) {
      const index = kept[i]!;
      if (index.writes > MIN_WRITES_BEFORE_DROP && index.writes * 2 > index.list.size) {
        kept.splice(i, 1);
        this.#indexes.delete(index.key);
      }
    }
  }

  #layer(layer: Layer): SortedList<string> {
    let ids = this.#layers.get(layer);
    if (ids === undefined) this.#layers.set(layer, (ids = new SortedList(compareCodePoints)));
    return ids;
  }

  #written(): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: clearing an empty map
    if (this.#views.size > 0) this.#views.clear();
    // Stryker disable next-line ConditionalExpression,EqualityOperator: remembered orderings only decide when a view is built, never what a page holds
    if (this.#asked.size > 0) this.#asked.clear();
  }
}

function* slice<T>(items: readonly T[], from: number): Generator<T> {
  for (let i = from; i < items.length; i++) yield items[i]!;
}
