import { invalidArgument } from "./errors.js";
import { compareCodePoints, compareFieldValues, fieldValue, type Ordering } from "./filter.js";
import type { Cursor, StoredRecord } from "./records.js";

// A cursor holds the last record's ordering value, which may be a long content string.
const MAX_CURSOR_LENGTH = 1 << 20;
// The direction slot of a cursor. Descending cursors made while ties still sorted by id
// ascending held 1: continuing one under today's order would repeat and skip records of
// the tie run it stopped in, so it is refused rather than read.
const ASCENDING = 0;
const DESCENDING_BEFORE_TIES_FOLLOWED = 1;
const DESCENDING = 2;

/** The position a cursor points after: the ordering value and id of the last record. */
export interface CursorPosition {
  field: string;
  descending: boolean;
  /** The ordering field's value; Dates as `{ $date: ms }`, missing as `null`. */
  value: unknown;
  id: string;
}

function sortValue(v: unknown): unknown {
  if (v instanceof Date) return { $date: v.getTime() };
  // Objects and arrays all sort equal (typeRank 4): `{}` keeps the cursor small and can
  // never be mistaken for a `$date`, whatever the content holds.
  if (v !== null && typeof v === "object") return {};
  return v === undefined ? null : v;
}

/**
 * The cursor after `record` for an ordering. Every backend builds cursors with this
 * function, so a cursor from one backend pages the same data on another.
 *
 * @example
 * ```ts
 * const next = encodeCursor(ordering, page.at(-1)!);
 * ```
 */
export function encodeCursor(ordering: Ordering, record: StoredRecord): Cursor {
  const position = [
    ordering.field,
    ordering.descending ? DESCENDING : ASCENDING,
    sortValue(fieldValue(record, ordering.parsed)),
    record.id,
  ];
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/**
 * Decodes and checks a cursor against the query's ordering (`INVALID_ARGUMENT` if it was
 * made for another ordering or is not a cursor).
 *
 * @example
 * ```ts
 * const position = decodeCursor(query.after, ordering, "sqlite");
 * ```
 */
export function decodeCursor(cursor: unknown, ordering: Ordering, backend = "core"): CursorPosition {
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH)
    throw invalidArgument(backend, "after must be a cursor string from a previous page");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidArgument(backend, "after is not a valid cursor");
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || typeof parsed[3] !== "string")
    throw invalidArgument(backend, "after is not a valid cursor");
  const [field, direction, raw, id] = parsed as [string, number, unknown, string];
  if (direction === DESCENDING_BEFORE_TIES_FOLLOWED)
    throw invalidArgument(
      backend,
      "after is a cursor from before descending ties sorted by id descending; query again",
    );
  if (direction !== ASCENDING && direction !== DESCENDING)
    throw invalidArgument(backend, "after is not a valid cursor");
  const descending = direction === DESCENDING;
  if (field !== ordering.field || descending !== ordering.descending) {
    throw invalidArgument(
      backend,
      `cursor was made for orderBy ${descending ? "-" : ""}${field}, not ${ordering.descending ? "-" : ""}${ordering.field}`,
    );
  }
  let value = raw;
  if (raw !== null && typeof raw === "object" && "$date" in raw) {
    const ms = (raw as { $date: unknown }).$date;
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw invalidArgument(backend, "after is not a valid cursor");
    value = new Date(ms);
  }
  // Top-level fields always hold one type; a forged value of another type would
  // silently page from the wrong place (or reach SQL as the wrong type).
  const root = ordering.parsed.root;
  if (root === "createdAt" || root === "updatedAt") {
    if (!(value instanceof Date) || Number.isNaN(value.getTime()))
      throw invalidArgument(backend, `after is not a valid cursor for orderBy ${field}`);
  } else if ((root === "id" || root === "naturalKey" || root === "layer") && typeof value !== "string") {
    throw invalidArgument(backend, `after is not a valid cursor for orderBy ${field}`);
  }
  return { field, descending: ordering.descending, value, id };
}

/**
 * True when `record` sorts strictly after the cursor position (the keyset condition).
 *
 * @example
 * ```ts
 * records.filter((r) => isAfterCursor(r, position, ordering));
 * ```
 */
export function isAfterCursor(record: StoredRecord, position: CursorPosition, ordering: Ordering): boolean {
  const primary = compareFieldValues(fieldValue(record, ordering.parsed), position.value);
  const c = primary !== 0 ? primary : compareCodePoints(record.id, position.id);
  return ordering.descending ? c < 0 : c > 0;
}
