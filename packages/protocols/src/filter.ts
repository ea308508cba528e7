import { invalidArgument } from "./errors.js";
import type { RecordField, StoredRecord } from "./records.js";
import { isPlainObject } from "./validation.js";

/** A value a filter compares with. Dates compare with `createdAt` / `updatedAt`. */
export type FilterValue = string | number | boolean | null | Date;

/** Operators of one field. Several operators on one field must all hold. */
export interface FieldOperators {
  eq?: FilterValue;
  ne?: FilterValue;
  in?: readonly FilterValue[];
  gt?: FilterValue;
  gte?: FilterValue;
  lt?: FilterValue;
  lte?: FilterValue;
  exists?: boolean;
  prefix?: string;
}

/**
 * `{ field: value | operators }`; every entry must hold (AND).
 *
 * Semantics, identical on every backend (SQL backends compile them to parameterised SQL):
 * - A field is *present* when its value is neither missing nor `null`. `exists: true`
 *   matches present fields, `exists: false` the others; `eq: null` is `exists: false`.
 * - Every other operator matches only present fields of the **same type** as its operand
 *   (number, string, boolean; Dates compare with `createdAt`/`updatedAt`): `"5"` never equals `5`,
 *   and `ne` does not match a missing field.
 * - Strings compare by Unicode code point (= UTF-8 byte order = `COLLATE "C"`).
 * - `prefix` matches strings only. Objects and arrays match only `exists`.
 */
export type Filter = { [field: string]: FilterValue | FieldOperators };

const OPERATORS = new Set(["eq", "ne", "in", "gt", "gte", "lt", "lte", "exists", "prefix"]);
const TOP_FIELDS = new Set(["id", "naturalKey", "layer", "createdAt", "updatedAt"]);
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
// Path segments are identifiers-ish: safe to put in a JSON path after validation.
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/** A field name split into its root and JSON path. */
export interface ParsedField {
  root: "id" | "naturalKey" | "layer" | "createdAt" | "updatedAt" | "content" | "metadata";
  path: readonly string[];
}

/**
 * Validates a field name against the whitelist and splits it.
 *
 * @example
 * ```ts
 * parseField("content.author.name"); // { root: "content", path: ["author", "name"] }
 * ```
 */
export function parseField(field: string, backend = "core"): ParsedField {
  if (typeof field !== "string") throw invalidArgument(backend, "filter field must be a string");
  if (TOP_FIELDS.has(field)) return { root: field as ParsedField["root"], path: [] };
  const dot = field.indexOf(".");
  const root = dot < 0 ? field : field.slice(0, dot);
  if ((root === "content" || root === "metadata") && dot > 0) {
    const path = field.slice(dot + 1).split(".");
    for (const segment of path) {
      if (!SEGMENT.test(segment) || FORBIDDEN_SEGMENTS.has(segment)) {
        throw invalidArgument(
          backend,
          `invalid path segment ${JSON.stringify(segment)} in field ${JSON.stringify(field)}; use letters, digits, _ and -`,
        );
      }
    }
    return { root, path };
  }
  throw invalidArgument(
    backend,
    `unknown field ${JSON.stringify(field)}; use id, naturalKey, layer, createdAt, updatedAt, content.<path> or metadata.<path>`,
  );
}

function isFilterValue(v: unknown): v is FilterValue {
  return (
    v === null ||
    typeof v === "string" ||
    typeof v === "boolean" ||
    // An Invalid Date compares as NaN, which would silently match or exclude everything.
    (v instanceof Date && !Number.isNaN(v.getTime())) ||
    (typeof v === "number" && Number.isFinite(v))
  );
}

/** A validated filter condition. */
export interface Condition {
  field: string;
  parsed: ParsedField;
  op: keyof FieldOperators;
  value: FilterValue | readonly FilterValue[] | boolean;
}

/**
 * Validates a filter and flattens it into conditions (AND). Rejects unknown fields and
 * operators, `__proto__`-like keys and non-scalar operands with `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * compileFilter({ layer: "gold", "content.score": { gte: 5 } });
 * ```
 */
export function compileFilter(filter: unknown, backend = "core"): Condition[] {
  if (filter === undefined) return [];
  if (!isPlainObject(filter)) throw invalidArgument(backend, "where must be a plain object");
  const conditions: Condition[] = [];
  for (const field of Object.keys(filter)) {
    const parsed = parseField(field, backend);
    const spec = filter[field];
    if (isFilterValue(spec)) {
      conditions.push({ field, parsed, op: "eq", value: spec });
      continue;
    }
    if (!isPlainObject(spec))
      throw invalidArgument(backend, `filter on ${field} must be a value or an operator object`);
    const ops = Object.keys(spec);
    if (ops.length === 0) throw invalidArgument(backend, `filter on ${field} has no operator`);
    for (const op of ops) {
      if (!OPERATORS.has(op))
        throw invalidArgument(
          backend,
          `unknown operator ${JSON.stringify(op)} on ${field}; use eq, ne, in, gt, gte, lt, lte, exists or prefix`,
        );
      const value = spec[op];
      if (op === "exists") {
        if (typeof value !== "boolean") throw invalidArgument(backend, `exists on ${field} must be a boolean`);
      } else if (op === "in") {
        if (!Array.isArray(value) || !value.every(isFilterValue))
          throw invalidArgument(
            backend,
            `in on ${field} must be an array of strings, numbers, booleans, null or Dates`,
          );
      } else if (op === "prefix") {
        if (typeof value !== "string") throw invalidArgument(backend, `prefix on ${field} must be a string`);
      } else if (!isFilterValue(value)) {
        throw invalidArgument(backend, `${op} on ${field} must be a string, number, boolean, null or Date`);
      }
      conditions.push({
        field,
        parsed,
        op: op as keyof FieldOperators,
        value: value as Condition["value"],
      });
    }
  }
  return conditions;
}

/**
 * The value of a field of a record (`undefined` when missing). Dates stay Dates.
 *
 * @example
 * ```ts
 * fieldValue(record, parseField("content.title"));
 * ```
 */
export function fieldValue(record: StoredRecord, parsed: ParsedField): unknown {
  if (parsed.path.length === 0) return record[parsed.root as keyof StoredRecord];
  let current: unknown = record[parsed.root];
  for (const segment of parsed.path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Compares two strings by Unicode code point, which is UTF-8 byte order and
 * PostgreSQL's `COLLATE "C"` / SQLite's `BINARY` order (JS `<` compares UTF-16 units).
 *
 * @example
 * ```ts
 * ["\u{1F600}", "\uFFFD"].sort(compareCodePoints); // ["\uFFFD", "\u{1F600}"]
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above U+FFFF: move them above U+E000–FFFF.
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

type Comparable = { kind: "string" | "number" | "boolean" | "date"; v: string | number | boolean };

function comparable(v: unknown): Comparable | undefined {
  if (typeof v === "string") return { kind: "string", v };
  if (typeof v === "number") return { kind: "number", v };
  if (typeof v === "boolean") return { kind: "boolean", v };
  if (v instanceof Date) return { kind: "date", v: v.getTime() };
  return undefined;
}

function compareSameKind(a: Comparable, b: Comparable): number {
  if (a.kind === "string") return compareCodePoints(a.v as string, b.v as string);
  return (a.v as number) - (b.v as number) || 0;
}

function matchesCondition(record: StoredRecord, c: Condition): boolean {
  const actual = fieldValue(record, c.parsed);
  const present = actual !== undefined && actual !== null;
  if (c.op === "exists") return present === c.value;
  if (c.op === "eq" && c.value === null) return !present;
  if (!present) return false;
  const left = comparable(actual);
  if (!left) return false;
  const test = (operand: FilterValue): number | undefined => {
    const right = comparable(operand);
    return right && right.kind === left.kind ? compareSameKind(left, right) : undefined;
  };
  switch (c.op) {
    case "eq":
      return test(c.value as FilterValue) === 0;
    case "ne": {
      const r = test(c.value as FilterValue);
      return r !== undefined && r !== 0;
    }
    case "in":
      return (c.value as FilterValue[]).some((v) => test(v) === 0);
    case "gt": {
      const r = test(c.value as FilterValue);
      return r !== undefined && r > 0;
    }
    case "gte": {
      const r = test(c.value as FilterValue);
      return r !== undefined && r >= 0;
    }
    case "lt": {
      const r = test(c.value as FilterValue);
      return r !== undefined && r < 0;
    }
    case "lte": {
      const r = test(c.value as FilterValue);
      return r !== undefined && r <= 0;
    }
    case "prefix":
      return typeof actual === "string" && actual.startsWith(c.value as string);
  }
  return false;
}

/**
 * True when the record satisfies every condition. The reference semantics for backends
 * that filter in memory (memory, file, redis).
 *
 * @example
 * ```ts
 * const conditions = compileFilter({ "content.score": { gte: 5 } });
 * records.filter((r) => matchesFilter(r, conditions));
 * ```
 */
export function matchesFilter(record: StoredRecord, conditions: readonly Condition[]): boolean {
  for (const c of conditions) if (!matchesCondition(record, c)) return false;
  return true;
}

/**
 * Rank of a value's type in the sort order: missing/null < boolean < number < string
 * (and Dates, for createdAt/updatedAt) < object/array (all equal among themselves).
 *
 * @example
 * ```ts
 * typeRank(null); // 0
 * typeRank(true); // 1
 * typeRank(42);   // 2
 * typeRank("a");  // 3
 * typeRank({});   // 4
 * ```
 */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "boolean") return 1;
  if (typeof v === "number" || v instanceof Date) return 2;
  if (typeof v === "string") return 3;
  return 4;
}

/**
 * Compares two field values in the order every backend returns: by {@link typeRank},
 * then by value (`false < true`, numbers, strings by code point).
 *
 * @example
 * ```ts
 * compareFieldValues(1, "a"); // < 0: numbers sort before strings
 * ```
 */
export function compareFieldValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0 || ra === 4) return 0;
  if (ra === 1) return Number(a) - Number(b);
  if (ra === 2) return Number(a instanceof Date ? a.getTime() : a) - Number(b instanceof Date ? b.getTime() : b) || 0;
  return compareCodePoints(a as string, b as string);
}

/** A parsed `orderBy`. */
export interface Ordering {
  field: RecordField;
  parsed: ParsedField;
  descending: boolean;
}

/**
 * Validates and parses `orderBy` (default `"id"`).
 *
 * @example
 * ```ts
 * parseOrderBy("-updatedAt"); // { field: "updatedAt", descending: true, … }
 * ```
 */
export function parseOrderBy(orderBy: unknown, backend = "core"): Ordering {
  if (orderBy === undefined) return { field: "id", parsed: { root: "id", path: [] }, descending: false };
  if (typeof orderBy !== "string") throw invalidArgument(backend, "orderBy must be a string");
  const descending = orderBy.startsWith("-");
  const field = (descending ? orderBy.slice(1) : orderBy) as RecordField;
  return { field, parsed: parseField(field, backend), descending };
}

/**
 * Sort comparator for records: the ordering field, ties by `id`, both in the ordering's
 * direction (a descending order is the ascending one reversed, as a backward index scan
 * gives it).
 *
 * @example
 * ```ts
 * records.sort((a, b) => compareRecords(a, b, parseOrderBy("-createdAt")));
 * ```
 */
export function compareRecords(a: StoredRecord, b: StoredRecord, ordering: Ordering): number {
  const primary = compareFieldValues(fieldValue(a, ordering.parsed), fieldValue(b, ordering.parsed));
  const c = primary !== 0 ? primary : compareCodePoints(a.id, b.id);
  return ordering.descending ? -c : c;
}
