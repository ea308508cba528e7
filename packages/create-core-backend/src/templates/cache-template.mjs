// src/cache-driver.ts of a scaffolded backend: a complete cache driver over a Map. The
// shared layer of @core/protocols/kit (createCache) validates, checks the closed state,
// encodes and decodes, counts hits and misses and matches globs; the driver only stores.
import { GUIDE } from "./source-templates.mjs";

/** @param {{ name: string, pascal: string }} n */
export function cacheDriverTs(n) {
  const camel = n.pascal[0].toLowerCase() + n.pascal.slice(1);
  return `import type { CacheCounters, CacheDriver, CacheRow, CacheSettings, CacheStore } from "@core/protocols/kit";
import { BACKEND } from "./name.js";

// The cache's storage: a Map per namespace in this process. Arguments arrive validated and
// values as the codec's text; the layer does the rest ("Writing a backend" in the guide:
// ${GUIDE}).
// To store elsewhere, rewrite the methods of ${n.pascal}CacheStore.

interface Slot {
  text: string;
  /** Absolute expiry (ms since the epoch); \`Infinity\` = never. */
  expiresAt: number;
}

/** One namespace, shared by every handle opened on its name (data and counters). */
interface Namespace {
  readonly slots: Map<string, Slot>;
  readonly counters: CacheCounters;
}

/**
 * The ${n.name} backend's cache driver: one per backend object, holding its namespaces.
 *
 * @example
 * \`\`\`ts
 * const cache = createCache<number>(${camel}CacheDriver(lifecycle), "hits");
 * \`\`\`
 */
export function ${camel}CacheDriver(lifecycle: { readonly closed: boolean }): CacheDriver {
  const namespaces = new Map<string, Namespace>();
  return {
    backend: BACKEND,
    lifecycle,
    maxEntries: false, // no LRU: the layer answers NOT_SUPPORTED to \`maxEntries\`
    sweepIntervalMs: 1_000, // unused: expired entries are dropped when read
    open(name: string, settings: CacheSettings): CacheStore {
      let namespace = namespaces.get(name);
      if (namespace === undefined) {
        namespace = { slots: new Map(), counters: { hits: 0, misses: 0, evictions: 0 } };
        namespaces.set(name, namespace);
      }
      return new ${n.pascal}CacheStore(namespace, settings);
    },
  };
}

class ${n.pascal}CacheStore implements CacheStore {
  readonly counters: CacheCounters;
  readonly #slots: Map<string, Slot>;
  readonly #settings: CacheSettings;

  constructor(namespace: Namespace, settings: CacheSettings) {
    this.counters = namespace.counters;
    this.#slots = namespace.slots;
    this.#settings = settings;
  }

  /** The live slot of \`key\`; an expired one is dropped. */
  #live(key: string): Slot | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined || slot.expiresAt > Date.now()) return slot;
    this.#slots.delete(key);
    return undefined;
  }

  get(key: string): string | undefined {
    return this.#live(key)?.text;
  }

  getMany(keys: readonly string[]): (string | undefined)[] {
    return keys.map((key) => this.get(key));
  }

  set(key: string, text: string, ttlMs: number | undefined): void {
    this.#slots.set(key, { text, expiresAt: ttlMs === undefined ? Infinity : Date.now() + ttlMs });
  }

  setMany(rows: readonly CacheRow[]): void {
    for (const [key, text, ttlMs] of rows) this.set(key, text, ttlMs);
  }

  add(key: string, text: string, ttlMs: number | undefined): boolean {
    if (this.#live(key) !== undefined) return false;
    this.set(key, text, ttlMs);
    return true;
  }

  increment(key: string, by: number, ttlMs: number | undefined): number {
    const slot = this.#live(key);
    // \`values.increment\` refuses a stored non-integer and a sum outside the safe range.
    const next = this.#settings.values.increment(key, slot?.text, by);
    const text = this.#settings.values.encode(next);
    if (slot === undefined) this.set(key, text, ttlMs);
    else slot.text = text; // an existing entry keeps its TTL
    return next;
  }

  delete(key: string): boolean {
    return this.#live(key) !== undefined && this.#slots.delete(key);
  }

  deleteMany(keys: readonly string[]): number {
    return keys.filter((key) => this.delete(key)).length;
  }

  has(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  ttl(key: string): number | null | undefined {
    const slot = this.#live(key);
    if (slot === undefined) return undefined;
    return slot.expiresAt === Infinity ? null : slot.expiresAt - Date.now();
  }

  *keys(prefix: string): Iterable<string> {
    // A snapshot, so deletes while the caller iterates do not skip keys.
    for (const key of [...this.#slots.keys()]) if (key.startsWith(prefix) && this.has(key)) yield key;
  }

  clear(): number {
    const live = [...this.#slots.keys()].filter((key) => this.has(key)).length;
    this.#slots.clear();
    return live;
  }

  stats(): { entries: number } {
    return { entries: [...this.#slots.keys()].filter((key) => this.has(key)).length };
  }

  close(): void {
    // No timers or connections per handle; the backend's close ends the rest.
  }
}
`;
}
