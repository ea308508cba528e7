import { type Codec, defaultCodec } from "./codec.js";
import { BackendError, invalidArgument } from "./errors.js";
import type { GetOptions, PutOptions, QueueOptions, ReadOptions, StreamOptions } from "./queue.js";
import { assertKey, assertName, assertNonNegativeInteger, assertPlainObject } from "./validation.js";

/**
 * More buckets than this is almost certainly a mistake (each one is a log of its own).
 *
 * @example
 * ```ts
 * const queue = backend.queue("events", { buckets: Math.min(wanted, MAX_BUCKETS) });
 * ```
 */
export const MAX_BUCKETS = 1024;

/**
 * Validates a `codec` option: `undefined` means the tagged-JSON {@link defaultCodec};
 * anything without `encode` and `decode` functions is INVALID_ARGUMENT.
 *
 * @example
 * ```ts
 * const codec = checkCodec("redis", options.codec);
 * ```
 */
export function checkCodec(backend: string, codec: unknown): Codec {
  if (codec === undefined) return defaultCodec;
  const shape = codec as Partial<Codec> | null;
  if (
    typeof shape !== "object" ||
    shape === null ||
    typeof shape.encode !== "function" ||
    typeof shape.decode !== "function"
  ) {
    throw invalidArgument(backend, "codec must be an object with encode(value) and decode(text) functions");
  }
  return codec as Codec;
}

/**
 * Validates `backend.queue()` options; returns the codec and the bucket count.
 *
 * @example
 * ```ts
 * const { codec, buckets } = checkQueueOptions("memory", { buckets: 4 });
 * ```
 */
export function checkQueueOptions(
  backend: string,
  options: QueueOptions | undefined,
): { codec: Codec; buckets: number } {
  if (options === undefined) return { codec: defaultCodec, buckets: 1 };
  assertPlainObject(backend, options, "queue options");
  const buckets = options.buckets ?? 1;
  assertNonNegativeInteger(backend, buckets, "buckets");
  if (buckets < 1 || buckets > MAX_BUCKETS) {
    throw invalidArgument(backend, `buckets must be 1–${MAX_BUCKETS}, got ${buckets}`);
  }
  for (const what of ["batchSize", "flushIntervalMs", "maxBuffered"] as const) {
    const value = options[what];
    if (value === undefined) continue;
    assertNonNegativeInteger(backend, value, what);
    if (value === 0) throw invalidArgument(backend, `${what} must be a positive integer, got 0`);
  }
  return { codec: checkCodec(backend, options.codec), buckets };
}

/**
 * Encodes a value, turning any codec failure (or a non-string result) into
 * INVALID_ARGUMENT from `backend`; `index` names the item of a batch.
 *
 * @example
 * ```ts
 * const text = encodeValue("sqlite", defaultCodec, { a: 1 });
 * const texts = values.map((v, i) => encodeValue("sqlite", codec, v, i));
 * ```
 */
export function encodeValue(backend: string, codec: Codec, value: unknown, index?: number): string {
  let text: unknown;
  try {
    text = codec.encode(value);
  } catch (cause) {
    const where = index === undefined ? "value" : `value at index ${index}`;
    const reason = cause instanceof Error ? cause.message.replace(/^\[[^\]]*\] /, "") : String(cause);
    throw new BackendError("INVALID_ARGUMENT", `${where} cannot be stored: ${reason}`, { backend, cause });
  }
  if (typeof text !== "string") throw invalidArgument(backend, `codec ${codec.name} did not return a string`);
  return text;
}

/**
 * Validates `put`/`putBatch` options; returns the routing key, if any.
 *
 * @example
 * ```ts
 * const key = checkPutOptions("file", { key: "user:1" }); // "user:1"
 * ```
 */
export function checkPutOptions(backend: string, options: PutOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  assertPlainObject(backend, options, "put options");
  if (options.key !== undefined) assertKey(backend, options.key);
  return options.key;
}

/**
 * Validates `get` options.
 *
 * @example
 * ```ts
 * checkGetOptions("postgres", { offset: 0, limit: 10 });
 * ```
 */
export function checkGetOptions(backend: string, options: GetOptions | undefined): void {
  if (options === undefined) return;
  assertPlainObject(backend, options, "get options");
  if (options.offset !== undefined) assertNonNegativeInteger(backend, options.offset, "offset");
  if (options.limit !== undefined) assertNonNegativeInteger(backend, options.limit, "limit");
}

/**
 * Validates `stream` options (the `get` options plus `block` and `signal`).
 *
 * @example
 * ```ts
 * checkStreamOptions("redis", { block: true, signal: controller.signal });
 * ```
 */
export function checkStreamOptions(backend: string, options: StreamOptions | undefined): void {
  if (options === undefined) return;
  checkGetOptions(backend, options);
  if (options.block !== undefined && typeof options.block !== "boolean") {
    throw invalidArgument(backend, "block must be a boolean");
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidArgument(backend, "signal must be an AbortSignal");
  }
  if (options.group === undefined) {
    for (const what of ["autoCommit", "leaseMs", "batchSize"] as const) {
      if (options[what] !== undefined) throw invalidArgument(backend, `${what} needs a group stream ({ group })`);
    }
    return;
  }
  assertName(backend, options.group, "group");
  if (options.offset !== undefined) {
    throw invalidArgument(backend, "a group stream resumes from its commit: move it with commit(group, n), not offset");
  }
  if (options.autoCommit !== undefined && typeof options.autoCommit !== "boolean") {
    throw invalidArgument(backend, "autoCommit must be a boolean");
  }
  checkPositive(backend, options.leaseMs, "leaseMs", MAX_LEASE_MS);
  checkPositive(backend, options.batchSize, "batchSize", MAX_PAGE_SIZE);
}

/**
 * Most entries fetched per round trip by `read` (and claimed at once by a group stream).
 *
 * @example
 * ```ts
 * q.read(0, { pageSize: MAX_PAGE_SIZE });
 * ```
 */
export const MAX_PAGE_SIZE = 10_000;
/** The longest lease a group stream may take: a day. */
const MAX_LEASE_MS = 86_400_000;

function checkPositive(backend: string, value: unknown, what: string, max: number): void {
  if (value === undefined) return;
  assertNonNegativeInteger(backend, value, what);
  if (value === 0 || value > max) throw invalidArgument(backend, `${what} must be 1–${max}, got ${value}`);
}

/**
 * Validates the arguments of `read(fromOffset, options)`.
 *
 * @example
 * ```ts
 * checkReadOptions("memory", 0, { toOffset: 100, pageSize: 50 });
 * ```
 */
export function checkReadOptions(backend: string, fromOffset: unknown, options: ReadOptions | undefined): void {
  assertNonNegativeInteger(backend, fromOffset, "fromOffset");
  if (options === undefined) return;
  assertPlainObject(backend, options, "read options");
  if (options.toOffset !== undefined) {
    assertNonNegativeInteger(backend, options.toOffset, "toOffset");
    if (options.toOffset < fromOffset) {
      throw invalidArgument(backend, `toOffset (${options.toOffset}) is below fromOffset (${fromOffset})`);
    }
  }
  checkPositive(backend, options.pageSize, "pageSize", MAX_PAGE_SIZE);
}

/**
 * Validates `trim` options (exactly one of `before` or `maxLength`); returns a function
 * of the log's current end giving the offset to trim before.
 *
 * @example
 * ```ts
 * const before = checkTrimOptions("memory", { maxLength: 10 })(log.next);
 * ```
 */
export function checkTrimOptions(backend: string, options: unknown): (next: number) => number {
  assertPlainObject(backend, options, "trim options");
  const hasBefore = options.before !== undefined;
  const hasMax = options.maxLength !== undefined;
  if (hasBefore === hasMax) throw invalidArgument(backend, "trim needs exactly one of { before } or { maxLength }");
  if (hasBefore) {
    const before = options.before;
    assertNonNegativeInteger(backend, before, "before");
    return () => before;
  }
  const maxLength = options.maxLength;
  assertNonNegativeInteger(backend, maxLength, "maxLength");
  return (next) => next - maxLength;
}
