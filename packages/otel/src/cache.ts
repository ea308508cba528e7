import type { Cache, CacheEntry, CacheStats, SetOptions } from "@core/protocols";
import { DbSpecs } from "./specs.js";
import type { Telemetry } from "./telemetry.js";

/**
 * A cache whose every operation is a `db.*` span and a `db.client.operation.duration`
 * sample (`getMany`/`setMany`/`deleteMany` with `db.operation.batch.size`). With no
 * provider registered each call goes straight to the cache (no span, no closure).
 *
 * @example
 * ```ts
 * const cache = new InstrumentedCache(backend.cache("s"), telemetry, "redis");
 * ```
 */
export class InstrumentedCache<V> implements Cache<V> {
  readonly #inner: Cache<V>;
  readonly #telemetry: Telemetry;
  readonly #specs: DbSpecs;

  constructor(inner: Cache<V>, telemetry: Telemetry, system: string) {
    this.#inner = inner;
    this.#telemetry = telemetry;
    this.#specs = new DbSpecs(system, inner.name);
  }

  get name(): string {
    return this.#inner.name;
  }

  get(key: string): Promise<V | undefined> {
    if (!this.#telemetry.enabled()) return this.#inner.get(key);
    return this.#telemetry.run(this.#specs.of("get"), () => this.#inner.get(key));
  }
  getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    if (!this.#telemetry.enabled()) return this.#inner.getMany(keys);
    return this.#telemetry.run(this.#specs.of("getMany", keys.length), () => this.#inner.getMany(keys));
  }
  set(key: string, value: V, options?: SetOptions): Promise<void> {
    if (!this.#telemetry.enabled()) return this.#inner.set(key, value, options);
    return this.#telemetry.run(this.#specs.of("set"), () => this.#inner.set(key, value, options));
  }
  setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    if (!this.#telemetry.enabled()) return this.#inner.setMany(entries);
    return this.#telemetry.run(this.#specs.of("setMany", entries.length), () => this.#inner.setMany(entries));
  }
  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    if (!this.#telemetry.enabled()) return this.#inner.add(key, value, options);
    return this.#telemetry.run(this.#specs.of("add"), () => this.#inner.add(key, value, options));
  }
  increment(key: string, by?: number): Promise<number> {
    if (!this.#telemetry.enabled()) return this.#inner.increment(key, by);
    return this.#telemetry.run(this.#specs.of("increment"), () => this.#inner.increment(key, by));
  }
  delete(key: string): Promise<boolean> {
    if (!this.#telemetry.enabled()) return this.#inner.delete(key);
    return this.#telemetry.run(this.#specs.of("delete"), () => this.#inner.delete(key));
  }
  deleteMany(keys: readonly string[]): Promise<number> {
    if (!this.#telemetry.enabled()) return this.#inner.deleteMany(keys);
    return this.#telemetry.run(this.#specs.of("deleteMany", keys.length), () => this.#inner.deleteMany(keys));
  }
  has(key: string): Promise<boolean> {
    if (!this.#telemetry.enabled()) return this.#inner.has(key);
    return this.#telemetry.run(this.#specs.of("has"), () => this.#inner.has(key));
  }
  ttl(key: string): Promise<number | null | undefined> {
    if (!this.#telemetry.enabled()) return this.#inner.ttl(key);
    return this.#telemetry.run(this.#specs.of("ttl"), () => this.#inner.ttl(key));
  }
  keys(options?: { match?: string }): AsyncIterable<string> {
    if (!this.#telemetry.enabled()) return this.#inner.keys(options);
    return this.#telemetry.iterate(this.#specs.of("keys"), () => this.#inner.keys(options));
  }
  clear(): Promise<number> {
    if (!this.#telemetry.enabled()) return this.#inner.clear();
    return this.#telemetry.run(this.#specs.of("clear"), () => this.#inner.clear());
  }
  stats(): Promise<CacheStats> {
    if (!this.#telemetry.enabled()) return this.#inner.stats();
    return this.#telemetry.run(this.#specs.of("stats"), () => this.#inner.stats());
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
