import { invalidArgument } from "./errors.js";
import type { CompiledQuery, Dialect, SqlInput } from "./sql.js";

type Part =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "id"; readonly names: readonly string[] }
  | { readonly kind: "fragment"; readonly fragment: SqlFragment };

function checkName(name: unknown): string {
  if (typeof name !== "string") throw invalidArgument("sql", `sql.id() takes strings, got ${typeof name}`);
  if (name.length === 0) throw invalidArgument("sql", "sql.id() got an empty identifier");
  if (name.includes("\u0000")) throw invalidArgument("sql", "sql.id() got an identifier containing NUL");
  return name;
}

/**
 * A piece of SQL built by the {@link sql} tag: text, identifiers and parameter values kept
 * apart until {@link SqlFragment.toQuery} compiles them for one dialect. Values never
 * become SQL text.
 *
 * @example
 * ```ts
 * const where = sql`where id = ${42}`;
 * sql`select * from ${sql.id("users")} ${where}`.toQuery(postgresDialect);
 * // { text: 'select * from "users" where id = $1', params: [42] }
 * ```
 */
export class SqlFragment {
  readonly #parts: readonly Part[];

  /** Use the {@link sql} tag rather than this constructor. */
  constructor(parts: readonly Part[]) {
    this.#parts = parts;
  }

  /**
   * Compiles to the dialect's text and parameters; placeholders are numbered across
   * nested fragments.
   *
   * @example
   * ```ts
   * sql`select ${1}`.toQuery(sqliteDialect); // { text: "select ?", params: [1] }
   * ```
   */
  toQuery(dialect: Dialect): CompiledQuery {
    const params: unknown[] = [];
    const text = this.#compile(dialect, params);
    return Object.freeze({ text, params: Object.freeze(params) });
  }

  #compile(dialect: Dialect, params: unknown[]): string {
    let text = "";
    for (const part of this.#parts) {
      switch (part.kind) {
        case "text":
          text += part.text;
          break;
        case "value":
          params.push(part.value);
          text += dialect.placeholder(params.length);
          break;
        case "id":
          text += part.names.map((name) => dialect.quoteIdentifier(name)).join(".");
          break;
        case "fragment":
          text += part.fragment.#compile(dialect, params);
          break;
      }
    }
    return text;
  }
}

/**
 * The `sql` tagged template. Every `${value}` becomes one bound parameter — an array is
 * ONE parameter too (PostgreSQL binds it as an array; SQLite's type mapper stores JSON);
 * write `sql.join(values.map((v) => sql`${v}`))` for an `IN (…)` list. A nested fragment
 * (`sql`…``, `sql.id`, `sql.raw`, `sql.join`) is inlined. `undefined` is rejected with
 * `INVALID_ARGUMENT`: pass `null` for SQL NULL.
 *
 * @example
 * ```ts
 * const ids = [1, 2, 3];
 * await db.query(sql`select * from ${sql.id("app", "users")}
 *   where name = ${name} and id in (${sql.join(ids.map((id) => sql`${id}`))})`);
 * ```
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  if (!Array.isArray(strings) || !Array.isArray((strings as TemplateStringsArray).raw)) {
    throw invalidArgument("sql", "sql is a template tag: write sql`select ...`, not sql(...)");
  }
  const parts: Part[] = [];
  strings.forEach((text: string | undefined, i) => {
    // A tagged template with an invalid escape (e.g. `\u` or `\x1`) has no cooked text.
    if (typeof text !== "string") {
      throw invalidArgument("sql", `sql text part #${i + 1} contains an invalid escape sequence`);
    }
    if (text.length > 0) parts.push({ kind: "text", text });
    if (i >= values.length) return;
    const value = values[i];
    if (value instanceof SqlFragment) parts.push({ kind: "fragment", fragment: value });
    else if (value === undefined) {
      throw invalidArgument("sql", `sql value #${i + 1} is undefined; pass null for SQL NULL`);
    } else parts.push({ kind: "value", value });
  });
  return new SqlFragment(parts);
}

/**
 * A quoted identifier; several names form a dotted path (`sql.id("app", "users")` →
 * `"app"."users"`). A single name is never split at dots: `sql.id("a.b")` is one
 * identifier named `a.b`.
 *
 * @example
 * ```ts
 * sql`select * from ${sql.id("app", "users")}`; // select * from "app"."users"
 * ```
 */
sql.id = (...names: string[]): SqlFragment => {
  if (names.length === 0) throw invalidArgument("sql", "sql.id() needs at least one name");
  return new SqlFragment([{ kind: "id", names: Object.freeze(names.map(checkName)) }]);
};

/**
 * TRUSTED SQL text inserted verbatim, never escaped. Only for text written by the
 * programmer (a keyword, an `order by` direction chosen from a fixed list) — never for
 * anything a user sent.
 *
 * @example
 * ```ts
 * const dir = descending ? sql.raw("desc") : sql.raw("asc");
 * sql`select * from ${sql.id("t")} order by id ${dir}`;
 * ```
 */
sql.raw = (text: string): SqlFragment => {
  if (typeof text !== "string") throw invalidArgument("sql", `sql.raw() takes a string, got ${typeof text}`);
  return new SqlFragment(text.length > 0 ? [{ kind: "text", text }] : []);
};

/**
 * Joins fragments with a separator (default `, `). Only fragments are accepted, so a
 * value list is spelled out: `sql.join(values.map((v) => sql`${v}`))`. An empty list gives
 * an empty fragment (`in ()` is then a syntax error — check for empty lists first).
 *
 * @example
 * ```ts
 * sql`insert into t (a, b) values (${sql.join([sql`${1}`, sql`${"x"}`])})`;
 * ```
 */
sql.join = (fragments: readonly SqlFragment[], separator: SqlFragment = sql`, `): SqlFragment => {
  if (!Array.isArray(fragments)) throw invalidArgument("sql", "sql.join() takes an array of sql fragments");
  if (!(separator instanceof SqlFragment)) throw invalidArgument("sql", "sql.join() separator must be a sql fragment");
  const parts: Part[] = [];
  fragments.forEach((fragment, i) => {
    if (!(fragment instanceof SqlFragment)) {
      throw invalidArgument("sql", `sql.join() item #${i + 1} is not a sql fragment; wrap values as sql\`\${v}\``);
    }
    if (i > 0) parts.push({ kind: "fragment", fragment: separator });
    parts.push({ kind: "fragment", fragment });
  });
  return new SqlFragment(parts);
};

/**
 * Normalises anything `execute`/`query` accept — a `sql` fragment, a compiled query, or
 * raw `{ text, params }` in the native dialect — to a {@link CompiledQuery}.
 * Anything else (a bare string included) is rejected with `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * toCompiledQuery({ text: "select ?", params: [1] }, sqliteDialect);
 * toCompiledQuery(sql`select ${1}`, postgresDialect); // { text: "select $1", params: [1] }
 * ```
 */
export function toCompiledQuery(input: SqlInput, dialect: Dialect): CompiledQuery {
  if (input !== null && typeof input === "object") {
    if ("toQuery" in input && typeof input.toQuery === "function") {
      const compiled = input.toQuery(dialect);
      return toCompiledQuery(compiled, dialect);
    }
    if ("text" in input && typeof input.text === "string") {
      const params = input.params ?? [];
      if (!Array.isArray(params)) throw invalidArgument(dialect.name, "query params must be an array");
      if (input.text.trim().length === 0) throw invalidArgument(dialect.name, "query text is empty");
      return { text: input.text, params };
    }
  }
  const got = typeof input === "string" ? "a bare string" : typeof input;
  throw invalidArgument(dialect.name, `a query must be a sql\`…\` fragment or { text, params }, got ${got}`);
}
