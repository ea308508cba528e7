import { BackendError } from "@core/protocols";
import { redactUrl, sqlError } from "@core/protocols/kit";

const BACKEND = "postgres";
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * Maps a pg error to the SQL error hierarchy by SQLSTATE, keeping it as `cause`:
 * 23xxx → IntegrityError, 40001/40P01 → DeadlockError (retryable), 25006 and other 25xxx →
 * TransactionError, 08xxx/57P0x and network errors → ConnectionError, 28xxx/3D000 →
 * ConnectionError (not retryable), 57014 → OperationalError TIMEOUT, 55P03 →
 * OperationalError LOCKED, pg's "Query read timeout" (`commandTimeoutMs`) → OperationalError
 * TIMEOUT, 42xxx/22xxx and the rest → QueryError. Messages never carry a
 * password.
 *
 * @example
 * ```ts
 * try { await pool.query(q); } catch (err) { throw mapPostgresError(err); }
 * ```
 */
export function mapPostgresError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
  const detail =
    typeof (err as { detail?: unknown })?.detail === "string" ? ` — ${(err as { detail: string }).detail}` : "";
  const text = redactUrl(`${raw}${detail}${code ? ` (${code})` : ""}`);
  const options = { backend: BACKEND, cause: err };
  if (code.startsWith("23")) return sqlError("constraint", `constraint violated: ${text}`, options);
  if (code === "40001" || code === "40P01") {
    return sqlError("conflict", `transaction conflict, retry it (option retries): ${text}`, options);
  }
  if (code === "25006") return sqlError("transaction", `write refused in a read-only transaction: ${text}`, options);
  if (code.startsWith("25")) return sqlError("transaction", `invalid transaction state: ${text}`, options);
  if (code.startsWith("28") || code === "3D000") {
    return sqlError("connection", `cannot connect, check the connection settings: ${text}`, {
      ...options,
      retryable: false,
    });
  }
  if (code.startsWith("08") || /^57P0[1-3]$/.test(code) || code === "53300" || NETWORK.has(code)) {
    return sqlError("connection", `connection failed; is PostgreSQL running and reachable? ${text}`, options);
  }
  if (code === "57014") return sqlError("timeout", `statement cancelled or timed out: ${text}`, options);
  if (code === "55P03") return sqlError("locked", `lock not available: ${text}`, options);
  if (!code && /connection terminated|not queryable|connection error/i.test(raw)) {
    return sqlError("connection", `connection lost: ${text}`, options);
  }
  if (!code && /Query read timeout/i.test(raw)) {
    return sqlError("timeout", `no reply within commandTimeoutMs: ${text}`, options);
  }
  if (!code && /timeout exceeded when trying to connect/i.test(raw)) {
    return sqlError("timeout", `no pooled connection became free in time: ${text}`, options);
  }
  if (!code && /after calling end on the pool/i.test(raw)) {
    return new BackendError("CLOSED", "the pool is closed; open a new backend", options);
  }
  return sqlError("query", `query failed: ${text}`, options);
}
