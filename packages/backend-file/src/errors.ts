import { BackendError, type ErrorCode } from "@core/protocols";

/** Name every error of this package carries. */
export const BACKEND = "file";

/** A `[file]` error with a stable code. */
export function fileError(code: ErrorCode, message: string, cause?: unknown): BackendError {
  return new BackendError(code, message, { backend: BACKEND, cause });
}

/**
 * Wraps a failed `fs` call: a BackendError passes through, anything else becomes
 * `CONNECTION` (the directory is this backend's "server": missing, read-only or full).
 */
export function fsError(err: unknown, doing: string, path: string): BackendError {
  if (err instanceof BackendError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? "unknown error";
  if (code === "ENOSPC" || code === "EDQUOT") {
    // Retryable CONNECTION: a full disk is the environment's fault, like a server that is down.
    return fileError("CONNECTION", `${doing} ${path} failed (${code}): the disk is full; free space and retry`, err);
  }
  return fileError(
    "CONNECTION",
    `${doing} ${path} failed (${code}); check that the directory exists, is writable and has free space`,
    err,
  );
}
