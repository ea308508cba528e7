// src/cache.ts of a scaffolded backend: the Cache protocol with its validation written and
// its storage left to the author.
import { GUIDE } from "./source-templates.mjs";

/** @param {{ name: string, pascal: string }} n */
export function cacheTs(n) {
  return `import {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertPlainObject,
  assertTtl,
  BackendError,
  type Cache,
  type CacheEntry,
  type CacheOptions,
  type CacheStats,
  type Codec,
  closedError,
  defaultCodec,
  describeValue,
  invalidArgument,
  notSupported,
  type SetOptions,
} from "@core/protocols";
import type { ${n.pascal}Context } from "./context.js";
import { BACKEND } from "./name.js";

// The Cache protocol for this backend. Arguments are validated before anything is stored
// (a bad key, TTL or value is INVALID_ARGUMENT and writes nothing); what is left in each
// method is the storage itself. Semantics: the Cache interface in @core/protocols
// (src/cache.ts) and "Implementing the cache" in the guide:
// ${GUIDE}
// Values are stored as the codec's text, so reads and writes copy and unencodable values
// fail early. Once every method stores, set \`cache: true\` in backend.ts.

/**
 * Opens the cache namespace \`name\` of a ${n.name} backend.
 *
 * @example
 * \`\`\`ts
 * const cache = create${n.pascal}Cache<number>(context, "hits", { defaultTtlMs: 60_000 });
 * \`\`\`
 */
export function create${n.pascal}Cache<V>(context: ${n.pascal}Context, name: string, options?: CacheOptions): Cache<V> {
  assertName(BACKEND, name, "cache name");
  if (options !== undefined) assertPlainObject(BACKEND, options as unknown, "cache options");
  assertTtl(BACKEND, options?.defaultTtlMs);
  // capabilities.maxEntries is false: asking for LRU eviction must say so.
  if (options?.maxEntries !== undefined) throw notSupported(BACKEND, "maxEntries");
  const sweep = options?.sweepIntervalMs;
  if (sweep !== undefined && (typeof sweep !== "number" || !Number.isFinite(sweep) || sweep <= 0)) {
    throw invalidArgument(BACKEND, \`sweepIntervalMs must be a positive number, got \${describeValue(sweep)}\`);
  }
  // Only an absent codec means the default: an explicit null is a mistake to report.
  const codec = options?.codec === undefined ? defaultCodec : options.codec;
  if (codec === null || typeof codec.encode !== "function" || typeof codec.decode !== "function") {
    throw invalidArgument(BACKEND, "codec must have encode(value) and decode(text) functions");
  }
  // options.defaultTtlMs is the TTL of writes that give none (increment included).
  return new ${n.pascal}Cache<V>(context, name, codec);
}

class ${n.pascal}Cache<V> implements Cache<V> {
  readonly name: string;
  readonly #context: ${n.pascal}Context;
  readonly #codec: Codec;
  #closed = false;

  constructor(context: ${n.pascal}Context, name: string, codec: Codec) {
    this.name = name;
    this.#context = context;
    this.#codec = codec;
  }

  // CLOSED after backend.close() or this handle's close().
  #open(): void {
    this.#context.lifecycle.assertOpen();
    if (this.#closed) throw closedError(BACKEND);
  }

  // Codec failures are reported as this backend's INVALID_ARGUMENT, with the codec's error as cause.
  #encode(value: unknown): string {
    try {
      const text = this.#codec.encode(value);
      if (typeof text === "string") return text;
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new BackendError("INVALID_ARGUMENT", \`value cannot be stored: \${detail}\`, { backend: BACKEND, cause });
    }
    throw invalidArgument(BACKEND, \`codec \${this.#codec.name} did not return a string\`);
  }

  // The storage of each method is where a backend differs; until it is written, the method
  // says so with NOT_SUPPORTED rather than pretending.
  #unwritten(method: string): BackendError {
    return notSupported(BACKEND, \`cache.\${method}\`);
  }

  async get(key: string): Promise<V | undefined> {
    assertKey(BACKEND, key);
    this.#open();
    throw this.#unwritten("get");
  }

  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    assertKeys(BACKEND, keys);
    this.#open();
    throw this.#unwritten("getMany");
  }

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    assertKey(BACKEND, key);
    assertTtl(BACKEND, options?.ttlMs);
    this.#encode(value);
    this.#open();
    throw this.#unwritten("set");
  }

  async setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    if (!Array.isArray(entries)) throw invalidArgument(BACKEND, "setMany needs an array of { key, value, ttlMs? }");
    for (const entry of entries) {
      if (entry === null || typeof entry !== "object") throw invalidArgument(BACKEND, "setMany entries are objects");
      assertKey(BACKEND, entry.key);
      assertTtl(BACKEND, entry.ttlMs);
      this.#encode(entry.value);
    }
    this.#open();
    throw this.#unwritten("setMany");
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    assertKey(BACKEND, key);
    assertTtl(BACKEND, options?.ttlMs);
    this.#encode(value);
    this.#open();
    throw this.#unwritten("add");
  }

  async increment(key: string, by = 1): Promise<number> {
    assertKey(BACKEND, key);
    assertInteger(BACKEND, by, "by");
    this.#open();
    throw this.#unwritten("increment");
  }

  async delete(key: string): Promise<boolean> {
    assertKey(BACKEND, key);
    this.#open();
    throw this.#unwritten("delete");
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    assertKeys(BACKEND, keys);
    this.#open();
    throw this.#unwritten("deleteMany");
  }

  async has(key: string): Promise<boolean> {
    assertKey(BACKEND, key);
    this.#open();
    throw this.#unwritten("has");
  }

  async ttl(key: string): Promise<number | null | undefined> {
    assertKey(BACKEND, key);
    this.#open();
    throw this.#unwritten("ttl");
  }

  // biome-ignore lint/correctness/useYield: the skeleton rejects before listing anything
  async *keys(options?: { match?: string }): AsyncIterable<string> {
    const match = options?.match;
    if (match !== undefined && typeof match !== "string") {
      throw invalidArgument(BACKEND, \`match must be a string glob, got \${describeValue(match)}\`);
    }
    this.#open();
    throw this.#unwritten("keys");
  }

  async clear(): Promise<number> {
    this.#open();
    throw this.#unwritten("clear");
  }

  async stats(): Promise<CacheStats> {
    this.#open();
    throw this.#unwritten("stats");
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
`;
}
