// Source files of a scaffolded backend (src/*.ts). Each function takes the names computed
// by create-backend.mjs and returns the file's text. Generated code must pass
// `tsc --strict`, biome and the five conformance suites as it is.

const GUIDE = "node_modules/@core/protocols/docs/writing-a-backend.md";

/** @param {{ name: string, pascal: string }} n */
export function nameTs(n) {
  return `/** This backend's name: \`backend.name\`, its URL scheme and the \`[${n.name}]\` prefix of its errors. */
export const BACKEND = "${n.name}";
`;
}

/** @param {{ name: string, pascal: string }} n */
export function contextTs(n) {
  return `import type { Lifecycle } from "@core/protocols";
import type { ${n.pascal}BackendOptions } from "./backend.js";

/**
 * What one backend object shares with every store it hands out. Put the connection (client,
 * pool, file handle) here as well, so all stores of one backend use it and \`close()\` ends it
 * once (\`lifecycle.onClose(() => client.end())\`).
 *
 * @example
 * \`\`\`ts
 * const context: ${n.pascal}Context = { lifecycle: new Lifecycle("${n.name}"), options: {} };
 * \`\`\`
 */
export interface ${n.pascal}Context {
  readonly lifecycle: Lifecycle;
  readonly options: Readonly<${n.pascal}BackendOptions>;
}
`;
}

/** @param {{ name: string, pascal: string }} n */
export function backendTs(n) {
  return `import {
  type Backend,
  type Cache,
  type CacheOptions,
  type Capabilities,
  defineCapabilities,
  Lifecycle,
  notSupported,
  type Queue,
  type QueueOptions,
  type RecordStore,
  type RecordStoreOptions,
  type SqlDatabase,
  type Transport,
  type TransportOptions,
} from "@core/protocols";
import { create${n.pascal}Cache } from "./cache.js";
import type { ${n.pascal}Context } from "./context.js";
import { BACKEND } from "./name.js";

// What this backend can do. The conformance suites read it from an instance: a protocol
// marked false is tested to throw NOT_SUPPORTED, one marked true gets its whole suite.
// Turn a protocol on once its file is written ("The capability manifest" in the guide:
// ${GUIDE}).
const CAPABILITIES: Capabilities = defineCapabilities({
  cache: false,
  queue: false,
  records: false,
  transport: false,
  sql: false,
  persistent: false,
  crossProcess: false,
  maxEntries: false,
  blockingStream: false,
  buckets: false,
  delivery: "none",
});

/** Options of {@link open${n.pascal}Backend}. */
export interface ${n.pascal}BackendOptions {
  /** The URL, when opened through \`openBackend("${n.name}:…")\`. */
  url?: string;
}

/**
 * The ${n.name} backend: one connection handing out namespaced stores that share it.
 *
 * @example
 * \`\`\`ts
 * await using backend = new ${n.pascal}Backend();
 * console.log(backend.capabilities);
 * \`\`\`
 */
export class ${n.pascal}Backend implements Backend {
  readonly name: string = BACKEND;
  readonly capabilities: Capabilities = CAPABILITIES;
  readonly #context: ${n.pascal}Context;

  constructor(options: ${n.pascal}BackendOptions = {}) {
    this.#context = { lifecycle: new Lifecycle(BACKEND), options: Object.freeze({ ...options }) };
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#context.lifecycle.assertOpen();
    if (!this.capabilities.cache) throw notSupported(BACKEND, "cache");
    return create${n.pascal}Cache<V>(this.#context, name, options);
  }

  // The other protocols follow the pattern of cache(): a file per protocol (queue.ts,
  // records.ts, transport.ts, sql.ts) implementing the interface of the same name in
  // @core/protocols, and the capability switched on.
  queue<V = unknown>(_name: string, _options?: QueueOptions): Queue<V> {
    this.#context.lifecycle.assertOpen();
    throw notSupported(BACKEND, "queue");
  }

  records(_name: string, _options?: RecordStoreOptions): RecordStore {
    this.#context.lifecycle.assertOpen();
    throw notSupported(BACKEND, "records");
  }

  transport(_options?: TransportOptions): Transport {
    this.#context.lifecycle.assertOpen();
    throw notSupported(BACKEND, "transport");
  }

  sql(): SqlDatabase {
    this.#context.lifecycle.assertOpen();
    throw notSupported(BACKEND, "sql");
  }

  close(): Promise<void> {
    return this.#context.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
`;
}

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
  const codec = options?.codec ?? defaultCodec;
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

/** @param {{ name: string, pascal: string }} n */
export function indexTs(n) {
  return `import type { Backend, BackendProvider } from "@core/protocols";
import { ${n.pascal}Backend, type ${n.pascal}BackendOptions } from "./backend.js";
import { BACKEND } from "./name.js";

export { ${n.pascal}Backend, type ${n.pascal}BackendOptions } from "./backend.js";

/**
 * Opens a ${n.name} backend.
 *
 * @example
 * \`\`\`ts
 * import { open${n.pascal}Backend } from "${n.packageName}";
 * await using backend = await open${n.pascal}Backend();
 * \`\`\`
 */
export async function open${n.pascal}Backend(options?: ${n.pascal}BackendOptions): Promise<Backend> {
  return new ${n.pascal}Backend(options);
}

/**
 * The provider \`loadProvider("${n.packageName}")\` finds, so \`registerBackend(provider)\`
 * makes \`openBackend("${n.name}:…")\` open this backend.
 *
 * @example
 * \`\`\`ts
 * registerBackend(await loadProvider("${n.packageName}"));
 * await using backend = await openBackend("${n.name}:");
 * \`\`\`
 */
export const provider: BackendProvider = {
  name: BACKEND,
  schemes: [BACKEND],
  open: (url, options) => open${n.pascal}Backend({ ...(options as ${n.pascal}BackendOptions | undefined), url }),
};
`;
}

/** @param {{ name: string, pascal: string }} n */
export function conformanceTestTs(n) {
  return `import {
  type ConformanceOptions,
  describeCacheConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeSqlConformance,
  describeTransportConformance,
} from "@core/conformance";
import { open${n.pascal}Backend } from "./index.js";

// Every suite runs, whatever the capabilities say: a protocol the backend has gets its full
// suite, one it lacks is checked to throw NOT_SUPPORTED. When the backend is persistent or
// crossProcess, open() must return a new client of the SAME storage on every call.
const options: ConformanceOptions = { name: "${n.name}", open: () => open${n.pascal}Backend() };

describeCacheConformance(options);
describeQueueConformance(options);
describeRecordStoreConformance(options);
describeTransportConformance(options);
describeSqlConformance(options);
`;
}
