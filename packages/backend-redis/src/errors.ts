import { BackendError, type ErrorCode } from "@core/protocols";
import { mapFailure, redactUrl } from "@core/protocols/kit";

/** Name every error of this package carries. */
export const BACKEND = "redis";

// Replies a server gives while it cannot serve (failover, loading, cluster reconfiguring):
// the command may succeed against the same data a moment later.
const UNAVAILABLE_REPLY = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|MOVED|ASK)\b/;
// Driver errors of a connection that is gone, refused, or not ready.
const CONNECTION_TEXT =
  /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|enableOfflineQueue|Reached the max retries|None of startup nodes|Failed to refresh slots|Cluster isn't ready|socket|connect/i;

// Replies that mean the URL or the credentials are wrong: retrying the same call cannot help.
const PERMANENT_REPLY =
  /^(WRONGPASS|NOAUTH|NOPERM)\b|^ERR (DB index is out of range|invalid DB index|SELECT is not allowed in cluster mode|invalid password|invalid username-password|AUTH <password> called without any password configured|Client sent AUTH)/i;

/** What to check when the server cannot be reached; part of every such `CONNECTION` message. */
export const REACH_HINT =
  "check that the Redis server is running and reachable at the URL's host and port (rediss:// for TLS servers)";

/** Error replies the package's own Lua scripts raise, mapped to codes. */
const SCRIPT_CODES: Readonly<Record<string, ErrorCode>> = {
  CONFLICT: "CONFLICT",
  INVALID: "INVALID_ARGUMENT",
};

/**
 * Turns anything ioredis or the server throws into a `BackendError` with a stable code:
 * lost or refused connections and unavailable clusters are `CONNECTION` (retryable),
 * refused credentials or database index `CONNECTION` (not retryable), command timeouts
 * `TIMEOUT` (retryable), a long-running script `SERIALIZATION` (`BUSY`), a key of
 * the wrong type `CORRUPTION`. `what` names the operation for the message.
 *
 * @example
 * ```ts
 * try { await client.call("GET", key); } catch (err) { throw toBackendError(err, "cache.get"); }
 * ```
 */
export function toBackendError(err: unknown, what: string): BackendError {
  if (err instanceof BackendError) return err;
  const message = redactUrl(err instanceof Error ? err.message : String(err));
  const name = err instanceof Error ? err.name : "";
  const fail = (code: ErrorCode, text: string, retryable?: boolean) =>
    new BackendError(code, `[${BACKEND}] ${what}: ${text}`, {
      backend: BACKEND,
      cause: err,
      ...(retryable === undefined ? {} : { retryable }),
    });
  const scriptCode = SCRIPT_CODES[message.split(" ", 1)[0] ?? ""];
  if (scriptCode) return fail(scriptCode, message.slice(message.indexOf(" ") + 1));
  if (/^Command timed out/i.test(message)) {
    return fail(
      "TIMEOUT",
      `${message}: no reply within commandTimeoutMs; the server is overloaded or unreachable, retry`,
    );
  }
  if (PERMANENT_REPLY.test(message)) {
    return fail("CONNECTION", `${message}; check the user, password and database index of the URL`, false);
  }
  if (/^BUSY\b/.test(message)) return fail("SERIALIZATION", `${message}; the server is running a long script, retry`);
  if (/^WRONGTYPE\b/.test(message)) {
    return fail("CORRUPTION", `${message}; another program wrote a key in this backend's key space (check the prefix)`);
  }
  if (UNAVAILABLE_REPLY.test(message) || name === "MaxRetriesPerRequestError" || CONNECTION_TEXT.test(message)) {
    return fail("CONNECTION", `${message}; ${REACH_HINT}`);
  }
  // Anything else (OOM, a reply we did not expect): the server refused the command.
  return fail("CONNECTION", `the server refused the command: ${message}`);
}

/**
 * Runs `fn`, mapping any failure with {@link toBackendError}.
 *
 * @example
 * ```ts
 * const value = await guard("cache.get", () => client.call("GET", key));
 * ```
 */
export function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return mapFailure(what, fn, toBackendError);
}
