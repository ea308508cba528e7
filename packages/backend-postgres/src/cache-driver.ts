import { BackendError } from "@core/protocols";
import type { CacheCounters, CacheDriver, CacheRow, CacheSettings, CacheStore } from "@core/protocols/kit";
import { cacheStatements, likePrefix } from "./cache-sql.js";
import { query } from "./db.js";
import { BACKEND } from "./errors.js";
import { decodeKey, encodeKey } from "./keys.js";
import type { StoreShared } from "./shared.js";

const KEYS_PAGE = 500;
const DEFAULT_SWEEP_MS = 60_000;

/**
 * The postgres backend's cache driver: rows of `cache_entries` with `ns = name`, expiry in
 * SQL (an expired row is invisible to every read) plus an unref'd sweep, LRU by `touched`
 * when `maxEntries` is set, `add`/`increment` as one `INSERT … ON CONFLICT` statement and
 * batches as one statement over `unnest` arrays.
 *
 * @example
 * ```ts
 * const cache = createCache<number>(postgresCacheDriver(shared), "counters", { defaultTtlMs: 60_000 });
 * await cache.increment("hits");
 * ```
 */
export function postgresCacheDriver(shared: StoreShared): CacheDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    maxEntries: true,
    sweepIntervalMs: DEFAULT_SWEEP_MS,
    open: (name, settings) => new PostgresCacheStore(shared, name, settings),
  };
}

// A get's answer from its result (one handler for every call, not an async frame per call).
function firstValue(result: { rows: Record<string, unknown>[] }): string | undefined {
  return result.rows[0]?.value as string | undefined;
}

class PostgresCacheStore implements CacheStore {
  readonly counters: CacheCounters;
  readonly #shared: StoreShared;
  readonly #name: string;
  readonly #maxEntries: number | undefined;
  readonly #sql: ReturnType<typeof cacheStatements>;
  readonly #timer: NodeJS.Timeout;
  readonly #unregister: () => void;
  #closed = false;

  constructor(shared: StoreShared, name: string, settings: CacheSettings) {
    this.#shared = shared;
    this.#name = name;
    this.#maxEntries = settings.maxEntries;
    this.#sql = cacheStatements(`${shared.quotedSchema}.cache_entries`, `${shared.quotedSchema}.cache_touch`);
    let counters = shared.cacheCounters.get(name);
    if (!counters) shared.cacheCounters.set(name, (counters = { hits: 0, misses: 0, evictions: 0 }));
    this.counters = counters;
    this.#timer = setInterval(() => void this.#sweep(), settings.sweepIntervalMs);
    this.#timer.unref();
    this.#unregister = shared.lifecycle.onClose(() => clearInterval(this.#timer));
  }

  #q(what: string, text: string, params: unknown[]) {
    return query(this.#shared, `cache.${what}`, text, params, !this.#sql.unprepared.has(text));
  }

  // The hot path's statement: the operation name is a literal (no string built per call).
  #get(text: string, params: unknown[]) {
    return query(this.#shared, "cache.get", text, params, !this.#sql.unprepared.has(text));
  }

  async #sweep(): Promise<void> {
    if (this.#closed || this.#shared.lifecycle.closed) return;
    // Best effort: a failed sweep is retried at the next tick; reads never see expired rows.
    await this.#q("sweep", this.#sql.sweep, [this.#name]).catch(() => {});
  }

  // A write (`$1…$4`); with maxEntries, its evicting variant drops the least recently
  // used rows beyond the limit in the same statement (one round trip).
  async #write(
    what: string,
    plain: string,
    evicting: string,
    params: unknown[],
  ): Promise<Record<string, unknown> | undefined> {
    const max = this.#maxEntries;
    if (max === undefined) return (await this.#q(what, plain, params)).rows[0];
    const { rows } = await this.#q(what, evicting, [...params, max]);
    this.counters.evictions += Number(rows[0]?.evicted ?? 0);
    return rows[0];
  }

  get(key: string): Promise<string | undefined> {
    const text = this.#maxEntries === undefined ? this.#sql.get : this.#sql.getTouch;
    return this.#get(text, [this.#name, encodeKey(key)]).then(firstValue);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const text = this.#maxEntries === undefined ? this.#sql.getMany : this.#sql.getManyTouch;
    const { rows } = await this.#q("getMany", text, [this.#name, [...new Set(keys)].map(encodeKey)]);
    const found = new Map<string, string>();
    for (const row of rows) found.set(decodeKey(row.key), row.value);
    return keys.map((key) => found.get(key));
  }

  async set(key: string, text: string, ttlMs: number | undefined): Promise<void> {
    await this.#write("set", this.#sql.set, this.#sql.setEvict, [this.#name, encodeKey(key), text, ttlMs ?? null]);
  }

  async setMany(rows: readonly CacheRow[]): Promise<void> {
    const n = rows.length;
    let keys: string[] = new Array(n);
    let values: string[] = new Array(n);
    let ttls: (number | null)[] = new Array(n);
    let expiring = false;
    for (let i = 0; i < n; i++) {
      const [key, text, ttlMs] = rows[i] as CacheRow;
      keys[i] = encodeKey(key); // injective, so repeated keys stay repeated
      values[i] = text;
      ttls[i] = ttlMs ?? null;
      if (ttlMs !== undefined) expiring = true;
    }
    // One statement cannot write a row twice: a repeated key keeps its last value (and
    // position). Rare, so the common batch of distinct keys skips the rebuild.
    if (new Set(keys).size < n) {
      const last = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        last.delete(keys[i] as string);
        last.set(keys[i] as string, i);
      }
      const kept = [...last.values()];
      keys = kept.map((i) => keys[i] as string);
      values = kept.map((i) => values[i] as string);
      ttls = kept.map((i) => ttls[i] as number | null);
    }
    const max = this.#maxEntries;
    if (max === undefined || keys.length <= max) {
      if (max === undefined && !expiring) {
        await this.#q("setMany", this.#sql.setManyForever, [this.#name, keys, values]);
        return;
      }
      await this.#write("setMany", this.#sql.setMany, this.#sql.setManyEvict, [this.#name, keys, values, ttls]);
      return;
    }
    // More keys than fit: the eviction must see the batch's own rows, so it runs after it.
    await this.#q("setMany", this.#sql.setMany, [this.#name, keys, values, ttls]);
    const { rows: evicted } = await this.#q("evict", this.#sql.evict, [this.#name, max]);
    this.counters.evictions += Number(evicted[0]?.evicted ?? 0);
  }

  async add(key: string, text: string, ttlMs: number | undefined): Promise<boolean> {
    const row = await this.#write("add", this.#sql.add, this.#sql.addEvict, [
      this.#name,
      encodeKey(key),
      text,
      ttlMs ?? null,
    ]);
    // Plain: a row means written; evicting: the count of rows written.
    return row !== undefined && Number(row.written ?? 1) > 0;
  }

  async increment(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    let row: Record<string, unknown> | undefined;
    try {
      row = await this.#write("increment", this.#sql.increment, this.#sql.incrementEvict, [
        this.#name,
        encodeKey(key),
        by,
        ttlMs ?? null,
      ]);
    } catch (err) {
      if (BackendError.is(err, "INVALID_ARGUMENT")) {
        throw new BackendError("INVALID_ARGUMENT", `increment: the value of ${JSON.stringify(key)} is not an integer`, {
          backend: BACKEND,
          cause: err,
        });
      }
      throw err;
    }
    // No value back: the WHERE guard refused a result outside the safe-integer range.
    if (row?.value === undefined || row.value === null) {
      throw new BackendError(
        "INVALID_ARGUMENT",
        `increment: adding ${by} to ${JSON.stringify(key)} leaves the safe integer range (value unchanged)`,
        { backend: BACKEND },
      );
    }
    return Number(row.value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.deleteMany([key])) > 0;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const { rows } = await this.#q("deleteMany", this.#sql.deleteMany, [this.#name, keys.map(encodeKey)]);
    return Number(rows[0]?.n ?? 0);
  }

  async has(key: string): Promise<boolean> {
    const { rowCount } = await this.#q("has", this.#sql.ttl, [this.#name, encodeKey(key)]);
    return (rowCount ?? 0) > 0;
  }

  async ttl(key: string): Promise<number | null | undefined> {
    const { rows } = await this.#q("ttl", this.#sql.ttl, [this.#name, encodeKey(key)]);
    const row = rows[0];
    if (!row) return undefined;
    return row.ms === null ? null : Number(row.ms);
  }

  async *keys(prefix: string): AsyncIterable<string> {
    // The server narrows by the literal head of the glob (a LIKE prefix of encoded keys).
    const like = likePrefix(encodeKey(prefix));
    let after = "";
    for (;;) {
      const { rows } = await this.#q("keys", this.#sql.keysPage, [this.#name, after, like, KEYS_PAGE]);
      for (const row of rows) yield decodeKey(row.key);
      if (rows.length < KEYS_PAGE) return;
      after = rows[rows.length - 1]?.key;
    }
  }

  async clear(): Promise<number> {
    const { rows } = await this.#q("clear", this.#sql.clear, [this.#name]);
    return Number(rows[0]?.n ?? 0);
  }

  /** `entries` and `live`: live entries; `expired`: past their TTL, not yet swept. */
  async stats(): Promise<{ entries: number; live: number; expired: number }> {
    const { rows } = await this.#q("stats", this.#sql.count, [this.#name]);
    const live = Number(rows[0]?.n ?? 0);
    return { entries: live, live, expired: Number(rows[0]?.stored ?? 0) - live };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unregister();
  }
}
