// Source files of a scaffolded backend (src/*.ts; src/cache-driver.ts is in cache-template.mjs). Each function takes the names computed
// by create-backend.mjs and returns the file's text. Generated code must pass
// `tsc --strict`, biome and the five conformance suites as it is.

export const GUIDE = "node_modules/@core/protocols/docs/writing-a-backend.md";

/** @param {{ name: string, pascal: string }} n */
export function nameTs(n) {
  return `/** This backend's name: \`backend.name\`, its URL scheme and the \`[${n.name}]\` prefix of its errors. */
export const BACKEND = "${n.name}";
`;
}

/** @param {{ name: string, pascal: string }} n */
export function backendTs(n) {
  const camel = n.pascal[0].toLowerCase() + n.pascal.slice(1);
  return `import {
  type Backend,
  type Cache,
  type CacheOptions,
  type Capabilities,
  notSupported,
  type Queue,
  type RecordStore,
  type SqlDatabase,
  type Transport,
} from "@core/protocols";
import { type CacheDriver, createCache, defineCapabilities, Lifecycle } from "@core/protocols/kit";
import { ${camel}CacheDriver } from "./cache-driver.js";
import { BACKEND } from "./name.js";

// What this backend can do. The conformance suites read it from an instance: a protocol
// marked true gets its whole suite, one marked false is tested to throw NOT_SUPPORTED.
// Turn a protocol on once its driver is written ("The capability manifest" in the guide:
// ${GUIDE}).
const CAPABILITIES: Capabilities = defineCapabilities({
  cache: true,
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
 * The ${n.name} backend: one storage handing out namespaced stores that share it. Put the
 * connection (client, pool, file handle) here too, and end it in \`close()\`
 * (\`lifecycle.onClose(() => client.end())\`).
 *
 * @example
 * \`\`\`ts
 * await using backend = new ${n.pascal}Backend();
 * await backend.cache<number>("hits").increment("home");
 * \`\`\`
 */
export class ${n.pascal}Backend implements Backend {
  readonly name: string = BACKEND;
  readonly capabilities: Capabilities = CAPABILITIES;
  readonly options: Readonly<${n.pascal}BackendOptions>;
  readonly #lifecycle = new Lifecycle(BACKEND);
  readonly #cache: CacheDriver = ${camel}CacheDriver(this.#lifecycle);

  constructor(options: ${n.pascal}BackendOptions = {}) {
    this.options = Object.freeze({ ...options });
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#lifecycle.assertOpen();
    return createCache<V>(this.#cache, name, options);
  }

  // The other protocols follow the pattern of cache(): a driver file per protocol
  // (queue-driver.ts, records-driver.ts, …) passed to createQueue, createRecordStore, … of
  // @core/protocols/kit, and the capability switched on.
  queue<V = unknown>(): Queue<V> {
    this.#lifecycle.assertOpen();
    throw notSupported(BACKEND, "queue");
  }

  records(): RecordStore {
    this.#lifecycle.assertOpen();
    throw notSupported(BACKEND, "records");
  }

  transport(): Transport {
    this.#lifecycle.assertOpen();
    throw notSupported(BACKEND, "transport");
  }

  sql(): SqlDatabase {
    this.#lifecycle.assertOpen();
    throw notSupported(BACKEND, "sql");
  }

  close(): Promise<void> {
    return this.#lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
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
