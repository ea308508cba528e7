import { LAYERS, type Layer } from "@core/protocols";
import { compareCodePoints, type NormalizedQuery } from "@core/protocols/kit";

/** The orderings with a sorted-set index, in the order of {@link indexKeys}. */
const ORDS = ["id", "k", "c", "u"] as const;
type Ord = (typeof ORDS)[number];

/** How a page reads an index: which set, how its members name a record, and the range. */
export interface IndexRange {
  ord: Ord;
  /**
   * `id`: the member is the id; `k`: the natural key (escaped, {@link naturalKeyMember}),
   * then the id; `t`: 15 bytes of time, then the id.
   */
  kind: "id" | "k" | "t";
  from: string;
  to: string;
  rev: boolean;
}

/**
 * The sorted-set index keys of a collection: for the scopes all, bronze, silver, gold (in
 * that order) one set per ordering (id, natural key, createdAt, updatedAt, each read
 * forwards or in reverse). The id sets keep their original names (`all`, `l:<layer>`).
 * The write scripts name the same keys from the base (`ix_key` in records-index.lua).
 *
 * @example
 * ```ts
 * const keys = indexKeys("app:{r:feed}"); // 16 keys: app:{r:feed}:all, app:{r:feed}:ix:k:all, …
 * ```
 */
export function indexKeys(base: string): string[] {
  const keys: string[] = [];
  for (const scope of ["all", ...LAYERS]) {
    for (const ord of ORDS) {
      if (ord === "id") keys.push(scope === "all" ? `${base}:all` : `${base}:l:${scope}`);
      else keys.push(`${base}:ix:${ord}:${scope}`);
    }
  }
  return keys;
}

/**
 * The retired descending-time sets (`C`, `U`) of layout 2, where descending ties sorted by
 * id ascending: nothing writes them, and a collection's first query deletes them.
 *
 * @example
 * ```ts
 * await client.call("UNLINK", ...retiredIndexKeys("app:{r:feed}"));
 * ```
 */
export function retiredIndexKeys(base: string): string[] {
  return ["all", ...LAYERS].flatMap((scope) => [`${base}:ix:C:${scope}`, `${base}:ix:U:${scope}`]);
}

/**
 * The natural-key sets of a collection (one per scope), which an upgrade from layout 4
 * builds anew.
 *
 * @example
 * ```ts
 * await client.call("UNLINK", ...naturalKeyIndexKeys("app:{r:feed}"));
 * ```
 */
export function naturalKeyIndexKeys(base: string): string[] {
  return ["all", ...LAYERS].map((scope) => `${base}:ix:k:${scope}`);
}

/**
 * The key of one index among {@link indexKeys}.
 *
 * @example
 * ```ts
 * indexKey(keys, "gold", "c"); // the gold layer by createdAt, ascending
 * ```
 */
export function indexKey(keys: readonly string[], layer: Layer | undefined, ord: Ord): string {
  const scope = layer === undefined ? 0 : LAYERS.indexOf(layer) + 1;
  return keys[scope * ORDS.length + ORDS.indexOf(ord)] as string;
}

/**
 * Epoch ms as the 15 bytes the scripts put in front of an id (`ix_time` in
 * records-index.lua): byte order is numeric order over the whole Date range.
 *
 * @example
 * ```ts
 * timeMember(0); // "100000000000000"
 * ```
 */
export function timeMember(ms: number): string {
  if (ms < 0) return `0${(8_640_000_000_000_000 + ms).toString(16).padStart(14, "0")}`;
  return `1${ms.toString(16).padStart(14, "0")}`;
}

/**
 * A record's member in a natural-key index (`ix_nk` in records-index.lua): each NUL of the
 * key becomes NUL 0x01 and the key ends with NUL NUL before the id, so members sort as the
 * keys do (a key before its extensions) and a page reads the id from the member itself.
 *
 * @example
 * ```ts
 * naturalKeyMember("sku-1", "r7"); // "sku-1\0\0r7"
 * ```
 */
export function naturalKeyMember(naturalKey: string, id: string): string {
  const escaped = naturalKey.includes("\0") ? naturalKey.replaceAll("\0", "\0\x01") : naturalKey;
  return `${escaped}\0\0${id}`;
}

const TIME_ORDS = { createdAt: "c", updatedAt: "u" } as const;

/**
 * The index range that yields a query's records in order, from just after its cursor;
 * null for an ordering without an index (a content or metadata path, or layer).
 *
 * @example
 * ```ts
 * const range = indexRange(normalizeQuery("redis", { orderBy: "-createdAt" }, 1000));
 * ```
 */
export function indexRange(q: NormalizedQuery): IndexRange | null {
  const { ordering, after } = q;
  const rev = ordering.descending;
  const start = rev ? "+" : "-";
  const end = rev ? "-" : "+";
  const root = ordering.parsed.root;
  if (root === "id") {
    let from = start;
    if (after !== undefined) {
      const value = after.value as string;
      // After (v, id) by id: v itself only when it sorts after the cursor's id in the
      // query's direction (a cursor of ours holds the id twice).
      const tie = compareCodePoints(value, after.id);
      from = (rev ? tie < 0 : tie > 0) ? `[${value}` : `(${value}`;
    }
    return { ord: "id", kind: "id", from, to: end, rev };
  }
  if (root === "naturalKey") {
    // Members are (key, id) in that order, as the cursor is.
    const from = after === undefined ? start : `(${naturalKeyMember(after.value as string, after.id)}`;
    return { ord: "k", kind: "k", from, to: end, rev };
  }
  if (root === "createdAt" || root === "updatedAt") {
    // Ties follow the direction, so a descending page is the ascending set read in
    // reverse (ZRANGE … REV): members are time then id.
    const ord = TIME_ORDS[root];
    let from = start;
    if (after !== undefined) from = `(${timeMember((after.value as Date).getTime())}${after.id}`;
    return { ord, kind: "t", from, to: end, rev };
  }
  return null;
}
