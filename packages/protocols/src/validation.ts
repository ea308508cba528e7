import { invalidArgument } from "./errors.js";

/**
 * Largest key, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new Error("key too long");
 * ```
 */
export const MAX_KEY_BYTES = 1024;
/**
 * Longest store name, in characters.
 *
 * @example
 * ```ts
 * const ok = name.length <= MAX_NAME_LENGTH;
 * ```
 */
export const MAX_NAME_LENGTH = 128;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * A short, safe description of a value for an error message: strings quoted and cut at 40
 * characters, bigints with `n`, functions and symbols by their type.
 *
 * @example
 * ```ts
 * import { describeValue } from "@core/protocols";
 * throw new TypeError(`ttlMs must be a number, got ${describeValue("soon")}`); // got "soon"
 * ```
 */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol" || typeof value === "function") return typeof value;
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

/**
 * Rejects an options/input object that has a field outside `allowed`; the message lists
 * what is allowed, so a typo is easy to spot.
 *
 * @example
 * ```ts
 * checkKeys("sqlite", { limit: 5 }, new Set(["limit", "offset"]), "query"); // ok
 * checkKeys("sqlite", { limt: 5 }, new Set(["limit", "offset"]), "query");  // throws INVALID_ARGUMENT
 * ```
 */
export function checkKeys(backend: string, value: Record<string, unknown>, allowed: Set<string>, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw invalidArgument(
        backend,
        `unknown ${what} field ${JSON.stringify(key)}; allowed: ${[...allowed].join(", ")}`,
      );
    }
  }
}

/**
 * Rejects anything that is not a valid key: a non-empty, well-formed string of at most
 * 1024 UTF-8 bytes. Every other string (unicode, `/`, `..`, `*`, newlines) is valid.
 *
 * @example
 * ```ts
 * assertKey("memory", "user:42"); // ok
 * assertKey("memory", "");        // throws INVALID_ARGUMENT
 * ```
 */
export function assertKey(backend: string, key: unknown): asserts key is string {
  if (typeof key !== "string") throw invalidArgument(backend, `key must be a string, got ${describe(key)}`);
  if (key.length === 0) throw invalidArgument(backend, "key must not be empty");
  if (!key.isWellFormed()) throw invalidArgument(backend, "key contains a lone surrogate (not valid UTF-16)");
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short keys skip the byte count.
  if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
    throw invalidArgument(backend, `key is longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
}

/**
 * Rejects a key list that is not an array of valid keys.
 *
 * @example
 * ```ts
 * assertKeys("memory", ["a", "b"]);
 * ```
 */
export function assertKeys(backend: string, keys: unknown): asserts keys is string[] {
  if (!Array.isArray(keys)) throw invalidArgument(backend, `keys must be an array, got ${describe(keys)}`);
  for (const key of keys) assertKey(backend, key);
}

/**
 * Rejects an invalid store, topic, channel or group name: 1–128 characters, no control
 * characters.
 *
 * @example
 * ```ts
 * assertName("memory", "sessions");
 * ```
 */
export function assertName(backend: string, name: unknown, what = "name"): asserts name is string {
  if (typeof name !== "string") throw invalidArgument(backend, `${what} must be a string, got ${describe(name)}`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw invalidArgument(backend, `${what} must be 1–${MAX_NAME_LENGTH} characters, got ${name.length}`);
  }
  if (CONTROL_CHARACTERS.test(name)) throw invalidArgument(backend, `${what} must not contain control characters`);
  if (!name.isWellFormed()) throw invalidArgument(backend, `${what} contains a lone surrogate`);
}

/**
 * Rejects a TTL that is not a positive finite number of milliseconds. `undefined` passes
 * (it means "use the default").
 *
 * @example
 * ```ts
 * assertTtl("memory", 60_000);
 * assertTtl("memory", 0); // throws INVALID_ARGUMENT
 * ```
 */
export function assertTtl(backend: string, ttlMs: unknown): asserts ttlMs is number | undefined {
  if (ttlMs === undefined) return;
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument(backend, `ttlMs must be a positive finite number of milliseconds, got ${describe(ttlMs)}`);
  }
}

/**
 * Rejects anything but a non-negative safe integer (offsets, limits, counts).
 *
 * @example
 * ```ts
 * assertNonNegativeInteger("memory", 10, "limit");
 * ```
 */
export function assertNonNegativeInteger(backend: string, value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(backend, `${what} must be a non-negative integer, got ${describe(value)}`);
  }
}

/**
 * Rejects anything but a safe integer (for `increment`).
 *
 * @example
 * ```ts
 * assertInteger("memory", -5, "by");
 * ```
 */
export function assertInteger(backend: string, value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw invalidArgument(backend, `${what} must be a safe integer, got ${describe(value)}`);
  }
}

/**
 * Rejects a value that is not a plain object (options bags, record content).
 *
 * @example
 * ```ts
 * assertPlainObject("memory", opts, "options");
 * ```
 */
export function assertPlainObject(
  backend: string,
  value: unknown,
  what: string,
): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidArgument(backend, `${what} must be a plain object, got ${describe(value)}`);
}

/**
 * True for `{}` literals and `Object.create(null)` objects; false for arrays, class
 * instances, Dates, Maps and the like.
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Date()); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export { describe as describeValue };
