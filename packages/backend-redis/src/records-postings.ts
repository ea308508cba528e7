import { hash } from "node:crypto";
import type { Condition, FilterValue } from "@core/protocols";

/**
 * The segments a filter path may name (`parseField` in @core/protocols): a content key
 * outside this set can never be filtered on, so it gets no posting. Pinned against
 * `parseField` by redis.postings.test.ts.
 */
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const ROOTS = { content: "c", metadata: "m" } as const;

type Scalar = string | number | boolean;

// Type-tagged, so "5" and 5 land in different postings (filters are type-strict). A
// number's text is String(n): one text per value (-0 is "0"), whatever JSON text held it.
function tagged(v: Scalar): string {
  const tag = typeof v === "string" ? "s" : typeof v === "number" ? "n" : "b";
  return tag + String(v);
}

// crypto.hash, not createHash: one call without a Hash object, several times cheaper per
// leaf, and every write names the postings of all its leaves.
function suffix(root: "c" | "m", path: string, v: Scalar): string {
  return `${root}.${path}:${hash("sha1", tagged(v), "base64url")}`;
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function walk(root: "c" | "m", value: Record<string, unknown>, path: string, out: string[]): void {
  for (const key of Object.keys(value)) {
    if (!SEGMENT.test(key) || FORBIDDEN.has(key)) continue;
    const v = value[key];
    const at = path === "" ? key : `${path}.${key}`;
    if (isScalar(v)) out.push(suffix(root, at, v));
    // Arrays are neither descended nor matched by an equality (fieldValue in @core/protocols);
    // null is "missing", which an equality never matches either.
    else if (v !== null && typeof v === "object" && !Array.isArray(v))
      walk(root, v as Record<string, unknown>, at, out);
  }
}

/**
 * The postings a record belongs to: one per scalar leaf (string, number, boolean) of its
 * content and metadata reachable by a filter path, named `c.<path>:<hash>` or
 * `m.<path>:<hash>` where the hash is the SHA-1 (base64url) of the type-tagged value.
 * The write scripts add the id to `<collection>:p:<suffix>` and keep the list in the
 * record hash (`px`) to take it out again on update or delete.
 *
 * @example
 * ```ts
 * postingSuffixes({ tag: "rare", n: 1 }, {}); // ["c.tag:…", "c.n:…"]
 * ```
 */
export function postingSuffixes(content: object, metadata: object): string[] {
  const out: string[] = [];
  walk("c", content as Record<string, unknown>, "", out);
  walk("m", metadata as Record<string, unknown>, "", out);
  return out;
}

/** How a query uses the postings: groups of sets the record must be in, and the rest. */
export interface PostingPlan {
  /**
   * Every group is one served condition: a record matches it when its id is in any of
   * the group's postings (`in` has one per listed scalar; an empty group matches nothing).
   */
  groups: string[][];
  /** The conditions the postings do not answer, evaluated on the record hash. */
  residual: Condition[];
}

// The postings holding exactly the records a value equals (type-strict); none for null
// (an equality with null means "missing") or a Date (content never holds one).
function postingsOf(root: "c" | "m", path: readonly string[], v: FilterValue): string | undefined {
  return isScalar(v) ? suffix(root, path.join("."), v) : undefined;
}

/**
 * Splits filter conditions into those an equality posting answers exactly (`eq` with a
 * string, number, boolean or Date operand, and `in`, on a content or metadata path) and
 * the residual; null when no condition is served (the query scans its ordering index).
 *
 * @example
 * ```ts
 * const plan = postingPlan(compileFilter({ "content.tag": "rare", "content.n": { gt: 1 } }));
 * // { groups: [["c.tag:…"]], residual: [the gt condition] }
 * ```
 */
export function postingPlan(conditions: readonly Condition[]): PostingPlan | null {
  const groups: string[][] = [];
  const residual: Condition[] = [];
  for (const c of conditions) {
    const { root: field, path } = c.parsed;
    const root = field === "content" || field === "metadata" ? ROOTS[field] : undefined;
    if (root !== undefined && c.op === "eq" && c.value !== null) {
      const key = postingsOf(root, path, c.value as FilterValue);
      groups.push(key === undefined ? [] : [key]);
    } else if (root !== undefined && c.op === "in") {
      const keys = new Set<string>();
      for (const v of c.value as readonly FilterValue[]) {
        const key = postingsOf(root, path, v);
        if (key !== undefined) keys.add(key);
      }
      groups.push([...keys]);
    } else {
      residual.push(c);
    }
  }
  return groups.length === 0 ? null : { groups, residual };
}
