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
  return `import { type CacheDriver, defineBackend, type Lifecycle } from "@core/protocols/kit";
import { ${camel}CacheDriver } from "./cache-driver.js";
import { BACKEND } from "./name.js";

/** Options of {@link open${n.pascal}Backend}. */
export interface ${n.pascal}BackendOptions {
  /** The URL, when opened through \`openBackend("${n.name}:…")\`. */
  url?: string;
}

/** What one backend object shares with its drivers. Put the connection (client, pool, file handle) here too. */
interface ${n.pascal}State {
  readonly lifecycle: Lifecycle;
  readonly options: Readonly<${n.pascal}BackendOptions>;
  /** One driver per backend object: every handle of a cache name shares its entries. */
  readonly cache: CacheDriver;
}

/**
 * The ${n.name} backend: one storage handing out namespaced stores that share it.
 * \`defineBackend\` does the rest: the closed check (\`CLOSED\`), \`NOT_SUPPORTED\` for the
 * protocols without a driver, \`close()\` and \`Symbol.asyncDispose\`.
 *
 * @example
 * \`\`\`ts
 * await using backend = new ${n.pascal}Backend();
 * await backend.cache<number>("hits").increment("home");
 * \`\`\`
 */
export class ${n.pascal}Backend extends defineBackend({
  name: BACKEND,
  // What this backend can do; unlisted capabilities are absent. The conformance suites read
  // it from an instance: a protocol marked true gets its whole suite, an absent one is tested
  // to throw NOT_SUPPORTED ("The capability manifest" in the guide: ${GUIDE}).
  capabilities: { cache: true },
  setup: (lifecycle, options: ${n.pascal}BackendOptions = {}): ${n.pascal}State => ({
    lifecycle,
    options: Object.freeze({ ...options }),
    cache: ${camel}CacheDriver(lifecycle),
  }),
  cache: (state) => state.cache,
  // The other protocols follow the pattern of cache: a driver file per protocol
  // (queue-driver.ts, records-driver.ts, …), its factory here (queue: …, records: …) and the
  // capability switched on. Release a connection in close: (state) => state.client.end().
}) {
  /** The options this backend was opened with. */
  get options(): Readonly<${n.pascal}BackendOptions> {
    return this.state.options;
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
