import { invalidArgument } from "./errors.js";
import { describeValue } from "./validation.js";

// A date, a time with at least minutes, and a zone: a string without a zone would be read
// in the machine's local time, so the same import would store different instants.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
// Years every backend stores alike (PostgreSQL timestamptz, millisecond integers, JSON).
// (Date.UTC maps years 0–99 to 1900–1999, so the bounds are parsed.)
const MIN_TIME = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_TIME = Date.parse("9999-12-31T23:59:59.999Z");

function toTime(backend: string, value: unknown, field: string): Date {
  let time = Number.NaN;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === "string" && ISO_8601.test(value)) time = Date.parse(value);
  if (Number.isNaN(time) || time < MIN_TIME || time > MAX_TIME) {
    throw invalidArgument(
      backend,
      `${field} must be a valid Date or an ISO 8601 string with a time zone (years 1 to 9999) under preserveTimestamps, got ${describeValue(value)}`,
    );
  }
  return new Date(time);
}

/**
 * The caller's own timestamps of a record stored with `preserveTimestamps: true`: both
 * are required, each a valid `Date` or an ISO 8601 string with a time zone (years 1 to
 * 9999), and `updatedAt` is not before `createdAt`; otherwise `INVALID_ARGUMENT`.
 * Returns fresh Dates (the caller's objects are never kept).
 *
 * @example
 * ```ts
 * const { createdAt, updatedAt } = preservedTimestamps("memory", {
 *   createdAt: "2019-03-01T12:00:00Z",
 *   updatedAt: new Date("2020-01-01T00:00:00Z"),
 * });
 * ```
 */
export function preservedTimestamps(
  backend: string,
  record: { createdAt?: unknown; updatedAt?: unknown },
): { createdAt: Date; updatedAt: Date } {
  const createdAt = toTime(backend, record.createdAt, "createdAt");
  const updatedAt = toTime(backend, record.updatedAt, "updatedAt");
  if (updatedAt.getTime() < createdAt.getTime()) {
    throw invalidArgument(
      backend,
      `updatedAt (${updatedAt.toISOString()}) must not be before createdAt (${createdAt.toISOString()})`,
    );
  }
  return { createdAt, updatedAt };
}
