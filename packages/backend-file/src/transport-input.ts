import {
  assertKey,
  assertPlainObject,
  BackendError,
  defaultCodec,
  describeValue,
  invalidArgument,
  type Message,
} from "@core/protocols";
import { BACKEND } from "./errors.js";

/**
 * `value` as a non-negative number of milliseconds, or `fallback` when undefined.
 *
 * @example
 * ```ts
 * const window = nonNegative(options.dedupWindowMs, "dedupWindowMs", 86_400_000);
 * ```
 */
export function nonNegative(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(
      BACKEND,
      `${what} must be a non-negative finite number of milliseconds, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A validated, encoded message and its idempotency key. */
export interface Prepared {
  text: string;
  key?: string;
}

/**
 * Validates and encodes `messages[index]` (INVALID_ARGUMENT before anything is written).
 *
 * @example
 * ```ts
 * const prepared = messages.map(prepare);
 * ```
 */
export function prepare(message: unknown, index: number): Prepared {
  const where = `messages[${index}]`;
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw invalidArgument(BACKEND, `${where} must be a message object, got ${describeValue(message)}`);
  }
  const { id, payload, headers, publishedAt, idempotencyKey } = message as Partial<Message>;
  if (typeof id !== "string" || id.length === 0)
    throw invalidArgument(BACKEND, `${where}.id must be a non-empty string`);
  if (typeof publishedAt !== "number" || !Number.isFinite(publishedAt)) {
    throw invalidArgument(BACKEND, `${where}.publishedAt must be a finite number of milliseconds`);
  }
  assertPlainObject(BACKEND, headers, `${where}.headers`);
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw invalidArgument(
        BACKEND,
        `${where}.headers[${JSON.stringify(key)}] must be a string, got ${describeValue(value)}`,
      );
    }
  }
  if (idempotencyKey !== undefined) assertKey(BACKEND, idempotencyKey);
  const stored: Message = { id, payload, headers: { ...headers }, publishedAt };
  if (idempotencyKey !== undefined) stored.idempotencyKey = idempotencyKey;
  try {
    return { text: defaultCodec.encode(stored), ...(idempotencyKey === undefined ? {} : { key: idempotencyKey }) };
  } catch (cause) {
    throw new BackendError("INVALID_ARGUMENT", `${where}.payload cannot be encoded: ${(cause as Error).message}`, {
      backend: BACKEND,
      cause,
    });
  }
}
