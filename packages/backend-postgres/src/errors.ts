import { BackendError, type ErrorCode } from "@core/protocols";
import { mapFailure, redactUrl } from "@core/protocols/kit";

/** Name every error of this package carries. */
export const BACKEND = "postgres";

/** What to check when the server cannot be reached; part of every such `CONNECTION` message. */
export const REACH_HINT =
  "check that PostgreSQL is running and reachable at the connection string's host and port (and its ssl settings)";

/** What to check when the server refuses the user, password or database. */
const SETTINGS_HINT = "check the user, password and database name of the connection string";

// Node and pg errors of a connection that is gone, refused or never made.
const CONNECTION_TEXT =
  /ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|Connection terminated|connection error|Client was closed|Client has already been connected|not queryable|timeout exceeded when trying to connect|Connection ended|socket/i;

/**
 * The stable code of a SQLSTATE, or `undefined` when the class has no fixed meaning.
 * The one table both the stores and `sql()` map driver errors with.
 *
 * @example
 * ```ts
 * codeOfSqlState("40001"); // "SERIALIZATION"
 * codeOfSqlState("23505"); // "CONFLICT"
 * ```
 */
export function codeOfSqlState(state: string | undefined): ErrorCode | undefined {
  if (typeof state !== "string" || state.length !== 5) return undefined;
  if (state === "40001" || state === "40P01") return "SERIALIZATION";
  if (state === "57014") return "TIMEOUT"; // statement timeout or cancel
  if (state === "55P03") return "LOCKED"; // lock_not_available (NOWAIT, lock_timeout)
  if (state === "XX001" || state === "XX002") return "CORRUPTION";
  const cls = state.slice(0, 2);
  if (cls === "23") return "CONFLICT";
  // 08 connection exception, 57P0x admin shutdown / terminated, 53 out of resources,
  // 28 bad credentials, 3D no such database: the server cannot serve us right now.
  if (cls === "08" || cls === "53" || cls === "28" || state === "3D000" || state.startsWith("57P")) return "CONNECTION";
  if (cls === "22") return "INVALID_ARGUMENT";
  return undefined;
}

/**
 * Turns anything pg or the server throws into a `BackendError`: SQLSTATE classes by
 * {@link codeOfSqlState}, lost, refused or timed-out connections `CONNECTION` (retryable,
 * saying what to check), a refused user, password or database `CONNECTION` (not
 * retryable), a statement without a reply within `commandTimeoutMs` `TIMEOUT`
 * (retryable), anything else `CONNECTION` ("the server refused the statement"). Passwords
 * in connection strings are redacted. `what` names the operation.
 *
 * @example
 * ```ts
 * try { await pool.query("select 1"); } catch (err) { throw toBackendError(err, "cache.get"); }
 * ```
 */
export function toBackendError(err: unknown, what: string): BackendError {
  if (err instanceof BackendError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = redactUrl(raw);
  const state = (err as { code?: unknown } | null)?.code;
  const fail = (code: ErrorCode, text: string, retryable?: boolean) =>
    new BackendError(code, `[${BACKEND}] ${what}: ${text}`, {
      backend: BACKEND,
      cause: err,
      ...(retryable === undefined ? {} : { retryable }),
    });
  const code = codeOfSqlState(typeof state === "string" ? state : undefined);
  // 28xxx bad user or password, 3D000 no such database: retrying cannot help.
  if (typeof state === "string" && (state.startsWith("28") || state === "3D000")) {
    return fail("CONNECTION", `${message}; ${SETTINGS_HINT}`, false);
  }
  if (code === "CONNECTION") return fail(code, `${message}; ${REACH_HINT}`);
  if (code === "TIMEOUT") return fail(code, `${message}; the statement ran longer than statementTimeoutMs`);
  if (code === "SERIALIZATION") return fail(code, `${message}; retry the operation`);
  if (code === "CORRUPTION") return fail(code, `${message}; the stored data is damaged`);
  if (code !== undefined) return fail(code, message);
  if (state === "42P01" || state === "3F000") {
    return fail(
      "CORRUPTION",
      `${message}; the backend's tables are missing (was the schema dropped?) — reopen the backend`,
    );
  }
  if (/Query read timeout/i.test(raw)) {
    return fail(
      "TIMEOUT",
      `${message}: no reply within commandTimeoutMs; the server is overloaded or unreachable, retry`,
    );
  }
  if (/due to connection timeout/i.test(raw)) {
    return fail("CONNECTION", `${message}: no answer within connectTimeoutMs; ${REACH_HINT}`);
  }
  if (CONNECTION_TEXT.test(raw) || (typeof state === "string" && /^E[A-Z]+$/.test(state))) {
    return fail("CONNECTION", `${message}; ${REACH_HINT}`);
  }
  return fail("CONNECTION", `the server refused the statement: ${message}`);
}

/**
 * Runs `fn`, mapping any failure with {@link toBackendError}.
 *
 * @example
 * ```ts
 * const rows = await guard("cache.get", () => pool.query(text, params));
 * ```
 */
export function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return mapFailure(what, fn, toBackendError);
}
