import {
  assertKey,
  assertNonNegativeInteger,
  assertPlainObject,
  type Codec,
  type GetOptions,
  invalidArgument,
  type PutOptions,
  type QueueOptions,
  type StreamOptions,
} from "@core/protocols";
import { BACKEND } from "./errors.js";
import { checkCodec } from "./values.js";

/** More buckets than this is almost certainly a mistake (each one is a log of its own). */
export const MAX_BUCKETS = 1024;

/**
 * Validates `backend.queue()` options; returns the codec and the bucket count.
 *
 * @example
 * ```ts
 * const { codec, buckets } = checkQueueOptions({ buckets: 4 });
 * ```
 */
export function checkQueueOptions(options: QueueOptions | undefined): { codec: Codec; buckets: number } {
  if (options === undefined) return { codec: checkCodec(undefined), buckets: 1 };
  assertPlainObject(BACKEND, options, "queue options");
  const buckets = options.buckets ?? 1;
  assertNonNegativeInteger(BACKEND, buckets, "buckets");
  if (buckets < 1 || buckets > MAX_BUCKETS) {
    throw invalidArgument(BACKEND, `buckets must be 1–${MAX_BUCKETS}, got ${buckets}`);
  }
  for (const what of ["batchSize", "flushIntervalMs", "maxBuffered"] as const) {
    const value = options[what];
    if (value === undefined) continue;
    assertNonNegativeInteger(BACKEND, value, what);
    if (value === 0) throw invalidArgument(BACKEND, `${what} must be a positive integer, got 0`);
  }
  return { codec: checkCodec(options.codec), buckets };
}

/**
 * Validates `put` options; returns the routing key, if any.
 *
 * @example
 * ```ts
 * const key = checkPutOptions({ key: "user:1" }); // "user:1"
 * ```
 */
export function checkPutOptions(options: PutOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  assertPlainObject(BACKEND, options, "put options");
  if (options.key !== undefined) assertKey(BACKEND, options.key);
  return options.key;
}

/**
 * Validates `get` options.
 *
 * @example
 * ```ts
 * checkGetOptions({ offset: 0, limit: 10 });
 * ```
 */
export function checkGetOptions(options: GetOptions | undefined): void {
  if (options === undefined) return;
  assertPlainObject(BACKEND, options, "get options");
  if (options.offset !== undefined) assertNonNegativeInteger(BACKEND, options.offset, "offset");
  if (options.limit !== undefined) assertNonNegativeInteger(BACKEND, options.limit, "limit");
}

/**
 * Validates `stream` options.
 *
 * @example
 * ```ts
 * checkStreamOptions({ block: true, signal });
 * ```
 */
export function checkStreamOptions(options: StreamOptions | undefined): void {
  if (options === undefined) return;
  checkGetOptions(options);
  if (options.block !== undefined && typeof options.block !== "boolean") {
    throw invalidArgument(BACKEND, "block must be a boolean");
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidArgument(BACKEND, "signal must be an AbortSignal");
  }
}

/**
 * Validates `trim` options; returns a function of the current end giving the offset to
 * trim before.
 *
 * @example
 * ```ts
 * const before = checkTrimOptions({ maxLength: 10 })(log.next);
 * ```
 */
export function checkTrimOptions(options: unknown): (next: number) => number {
  assertPlainObject(BACKEND, options, "trim options");
  const hasBefore = options.before !== undefined;
  const hasMax = options.maxLength !== undefined;
  if (hasBefore === hasMax) throw invalidArgument(BACKEND, "trim needs exactly one of { before } or { maxLength }");
  if (hasBefore) {
    const before = options.before;
    assertNonNegativeInteger(BACKEND, before, "before");
    return () => before;
  }
  const maxLength = options.maxLength;
  assertNonNegativeInteger(BACKEND, maxLength, "maxLength");
  return (next) => next - maxLength;
}
