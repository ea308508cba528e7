import { invalidArgument } from "./errors.js";
import type { Dialect } from "./sql.js";

/** Longest identifier PostgreSQL keeps (`NAMEDATALEN - 1` bytes); longer ones are truncated silently. */
const POSTGRES_MAX_IDENTIFIER_BYTES = 63;

function quoteChecked(backend: string, name: unknown, maxBytes?: number): string {
  if (typeof name !== "string") throw invalidArgument(backend, `an identifier must be a string, got ${typeof name}`);
  if (name.length === 0) throw invalidArgument(backend, "an identifier must not be empty");
  if (name.includes("\u0000")) throw invalidArgument(backend, "an identifier must not contain NUL");
  if (!name.isWellFormed()) throw invalidArgument(backend, "an identifier contains a lone surrogate");
  // Rejected rather than truncated: two long names sharing a prefix would silently collide.
  if (maxBytes !== undefined && Buffer.byteLength(name, "utf8") > maxBytes) {
    throw invalidArgument(backend, `identifier "${name.slice(0, 20)}…" is longer than ${maxBytes} bytes`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes one identifier the standard way (`"a""b"`), as both SQLite and PostgreSQL expect.
 * Empty names, NUL and lone surrogates are rejected with `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * quoteIdentifier('my "table"'); // '"my ""table"""'
 * ```
 */
export function quoteIdentifier(name: string): string {
  return quoteChecked("sql", name);
}

/**
 * SQLite: `?` placeholders, `RETURNING` (SQLite ≥ 3.35) and savepoints.
 *
 * @example
 * ```ts
 * sql`select ${1}`.toQuery(sqliteDialect); // { text: "select ?", params: [1] }
 * ```
 */
export const sqliteDialect: Dialect = Object.freeze({
  name: "sqlite",
  placeholder: (_index: number) => "?",
  quoteIdentifier: (name: string) => quoteChecked("sqlite", name),
  supportsReturning: true,
  supportsSavepoints: true,
});

/**
 * PostgreSQL: `$1`, `$2`… placeholders, `RETURNING` and savepoints. Identifiers longer
 * than 63 bytes are rejected (PostgreSQL would truncate them).
 *
 * @example
 * ```ts
 * sql`select ${1}, ${2}`.toQuery(postgresDialect); // { text: "select $1, $2", params: [1, 2] }
 * ```
 */
export const postgresDialect: Dialect = Object.freeze({
  name: "postgres",
  placeholder: (index: number) => `$${index}`,
  quoteIdentifier: (name: string) => quoteChecked("postgres", name, POSTGRES_MAX_IDENTIFIER_BYTES),
  supportsReturning: true,
  supportsSavepoints: true,
});
