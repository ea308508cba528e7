import { errorTable, mapFailure } from "@core/protocols/kit";

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

// The package's own Lua scripts raise "CONFLICT …" and "INVALID …": the rest is the message.
const afterCode = (message: string) => message.slice(message.indexOf(" ") + 1);

/**
 * Turns anything ioredis or the server throws into a `BackendError` with a stable code:
 * lost or refused connections and unavailable clusters are `CONNECTION` (retryable),
 * refused credentials or database index `CONNECTION` (not retryable), command timeouts
 * `TIMEOUT` (retryable), a long-running script `SERIALIZATION` (`BUSY`), a key of
 * the wrong type `CORRUPTION`. `what` names the operation for the message.
 */
export const toBackendError = errorTable(BACKEND, [
  [/^CONFLICT( |$)/, "CONFLICT", afterCode],
  [/^INVALID( |$)/, "INVALID_ARGUMENT", afterCode],
  [
    /^Command timed out/i,
    "TIMEOUT",
    (m) => `${m}: no reply within commandTimeoutMs; the server is overloaded or unreachable, retry`,
  ],
  [PERMANENT_REPLY, "CONNECTION", (m) => `${m}; check the user, password and database index of the URL`, false],
  [/^BUSY\b/, "SERIALIZATION", (m) => `${m}; the server is running a long script, retry`],
  [
    /^WRONGTYPE\b/,
    "CORRUPTION",
    (m) => `${m}; another program wrote a key in this backend's key space (check the prefix)`,
  ],
  [
    (err, m) =>
      UNAVAILABLE_REPLY.test(m) ||
      (err as Error | null)?.name === "MaxRetriesPerRequestError" ||
      CONNECTION_TEXT.test(m),
    "CONNECTION",
    (m) => `${m}; ${REACH_HINT}`,
  ],
  // Anything else (OOM, a reply we did not expect): the server refused the command.
  [() => true, "CONNECTION", (m) => `the server refused the command: ${m}`],
]);

/** Runs `fn`, mapping any failure with {@link toBackendError}. */
export function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return mapFailure(what, fn, toBackendError);
}
