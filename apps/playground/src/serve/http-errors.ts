import { BackendError, type ErrorCode } from "@core/protocols";
import { invalidArgument } from "@core/protocols/kit";

/** Codes the HTTP layer adds for its own failures (unknown route, wrong method). */
export type ApiErrorCode = ErrorCode | "NOT_FOUND" | "INTERNAL";

/** The JSON body of every failed API call. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

const STATUS: Partial<Record<ApiErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CLOSED: 409,
  LOCKED: 423,
  NOT_INSTALLED: 424,
  NOT_SUPPORTED: 501,
  CONNECTION: 503,
  TIMEOUT: 504,
};

/**
 * A failure the router turns into `{ error: { code, message } }` with an HTTP status.
 *
 * @example
 * ```ts
 * throw new ApiError("NOT_FOUND", "no route GET /api/nope");
 * ```
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

/**
 * Maps any thrown value to a status and the JSON error body. BackendError codes are kept
 * as they are, so the page shows exactly what a program would branch on.
 *
 * @example
 * ```ts
 * const { status, body } = toApiError(invalidArgument("memory", "bad key"));
 * // status 400, body.error.code "INVALID_ARGUMENT"
 * ```
 */
export function toApiError(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof ApiError || BackendError.is(err)) {
    const code = err.code as ApiErrorCode;
    return { status: STATUS[code] ?? 500, body: { error: { code, message: err.message } } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: { code: "INTERNAL", message } } };
}

/**
 * Reads a required string field of a JSON body (INVALID_ARGUMENT when missing).
 *
 * @example
 * ```ts
 * const key = stringField(body, "key");
 * ```
 */
export function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "")
    throw invalidArgument("playground", `"${field}" must be a non-empty string`);
  return value;
}

/**
 * Reads an optional non-negative integer field (from a JSON body or a query string).
 *
 * @example
 * ```ts
 * const ttlMs = intField(body, "ttlMs"); // undefined when absent
 * ```
 */
export function intField(body: Record<string, unknown>, field: string): number | undefined {
  const raw = body[field];
  if (raw === undefined || raw === null || raw === "") return undefined;
  const value = typeof raw === "string" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw invalidArgument("playground", `"${field}" must be a non-negative integer`);
  return value;
}
