import { BackendError, invalidArgument } from "../../errors.js";
import type { CacheCounters, CacheDriver, CacheRow, CacheSettings, CacheStore } from "../cache/cache-driver.js";
import type { CacheValues } from "../cache/cache-values.js";
import type { MaybePromise } from "../records/record-driver.js";
import type { SqlCacheDialect, SqlCacheExecutor, SqlCacheRow, SqlCacheStatements } from "./sql-cache-dialect.js";

const KEYS_PAGE = 500;

// Rows per statement of a dialect's `setRows`: enough to amortize a statement's fixed cost,
// few enough to stay far below any bound-parameter limit (3 per row).
const ROWS_PER_STATEMENT = 32;
const same = (text: string) => text;

/** `fn(value)`, with no promise in between when `value` is none (the synchronous fast path). */
function then<T, R>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** A count answered as one aggregate row (`field`), or as one row per match with `live`. */
function counted(rows: SqlCacheRow[], field: string): number {
  const first = rows[0];
  if (rows.length === 1 && first?.[field] !== undefined) return Number(first[field]);
  let n = 0;
  for (const row of rows) if (row.live) n++;
  return n;
}

/**
 * The cache driver of a SQL backend, written once over its {@link SqlCacheDialect}: one
 * row per entry, expired rows invisible to reads (and deleted lazily where the dialect
 * says so), an unref'd sweep started by the first write with a TTL, and `maxEntries`
 * eviction of the least recently used rows in the write's own statement or transaction.
 *
 * @example
 * ```ts
 * const cache = createCache(sqlCacheDriver(dialect), "sessions", { maxEntries: 1000 });
 * ```
 */
export function sqlCacheDriver(dialect: SqlCacheDialect): CacheDriver {
  return {
    backend: dialect.backend,
    lifecycle: dialect.lifecycle,
    maxEntries: true,
    sweepIntervalMs: dialect.sweepIntervalMs,
    open: (name, settings) => new SqlCacheStore(dialect, name, settings),
  };
}

class SqlCacheStore implements CacheStore {
  readonly counters: CacheCounters;
  readonly #d: SqlCacheDialect;
  readonly #x: SqlCacheExecutor;
  readonly #first: (op: string, text: string, args: readonly unknown[]) => MaybePromise<SqlCacheRow | undefined>;
  readonly #s: SqlCacheStatements;
  readonly #ns: string;
  readonly #max: number | undefined;
  readonly #values: CacheValues;
  readonly #inSql: boolean;
  readonly #key: (key: string) => string;
  readonly #sweepMs: number;
  #timer: NodeJS.Timeout | undefined;
  #unregister: (() => void) | undefined;
  #closed = false;

  constructor(dialect: SqlCacheDialect, name: string, settings: CacheSettings) {
    this.#d = dialect;
    this.#x = dialect.executor;
    const x = dialect.executor;
    this.#first = x.first?.bind(x) ?? ((op, text, args) => then(x.all(op, text, args), (rows) => rows[0]));
    this.#s = dialect.statements;
    this.#ns = name;
    this.#max = settings.maxEntries;
    this.#values = settings.values;
    this.#inSql = dialect.addsInSql(settings.codec);
    this.#key = dialect.encodeKey ?? same;
    this.#sweepMs = settings.sweepIntervalMs;
    let counters = dialect.counters.get(name);
    if (counters === undefined) dialect.counters.set(name, (counters = { hits: 0, misses: 0, evictions: 0 }));
    this.counters = counters;
  }

  /** The TTL argument; the first one starts the sweep (a cache without TTLs needs none). */
  #expiring(ttlMs: number | undefined): number | null {
    if (ttlMs === undefined) return null;
    if (this.#timer === undefined && !this.#closed) {
      this.#timer = setInterval(() => this.#sweep(), this.#sweepMs);
      this.#timer.unref();
      this.#unregister = this.#d.lifecycle.onClose(() => this.close());
    }
    return ttlMs;
  }

  #sweep(): void {
    if (this.#d.lifecycle.closed) return;
    // Best effort: a failed sweep is retried at the next tick; reads never see expired rows.
    try {
      const done = this.#x.now(() => this.#x.all("sweep", this.#s.sweep, [this.#ns]));
      if (done instanceof Promise) done.catch(() => undefined);
    } catch {
      // Busy or closing: as above.
    }
  }

  /** The text of a read row; an expired one is `undefined` and deleted where the dialect asks. */
  #value(row: SqlCacheRow | undefined, args: readonly unknown[]): string | undefined {
    if (row === undefined) return undefined;
    const expires = row.expires_at;
    if (expires === null || expires === undefined || Number(expires) > Date.now()) return row.value as string;
    if (this.#s.deleteExpired !== undefined) this.#x.all("get", this.#s.deleteExpired, args);
    return undefined;
  }

  /** A write plus, with maxEntries, its eviction: in one statement where the dialect has it, else one transaction. */
  #write(op: string, text: string, evicting: string | undefined, args: unknown[]): MaybePromise<SqlCacheRow[]> {
    const max = this.#max;
    if (max === undefined) return this.#x.all(op, text, args);
    if (evicting === undefined) {
      return this.#x.transaction(() => {
        const rows = this.#x.all(op, text, args) as SqlCacheRow[];
        this.#evict();
        return rows;
      });
    }
    return then(this.#x.all(op, evicting, [...args, max]), (rows) => {
      this.counters.evictions += counted(rows, "evicted");
      return rows;
    });
  }

  #evict(step = 0): MaybePromise<void> {
    const text = this.#s.evict[step];
    if (text === undefined) return;
    return then(this.#x.all("evict", text, [this.#ns, this.#max]), (rows) => {
      const over = rows[0]?.over;
      if (over !== undefined && Number(over) <= 0) return;
      if (step === this.#s.evict.length - 1) this.counters.evictions += counted(rows, "evicted");
      return this.#evict(step + 1);
    });
  }

  get(key: string): MaybePromise<string | undefined> {
    const args = [this.#ns, this.#key(key)];
    const text = this.#max === undefined ? this.#s.get : this.#s.getTouch;
    return this.#x.now(() => then(this.#first("get", text, args), (row) => this.#value(row, args)));
  }

  getMany(keys: readonly string[]): MaybePromise<(string | undefined)[]> {
    const text = this.#max === undefined ? this.#s.getMany : this.#s.getManyTouch;
    const args = [this.#ns, [...new Set(keys)].map(this.#key)];
    const decode = this.#d.decodeKey ?? same;
    return this.#x.now(() =>
      then(this.#x.all("getMany", text, args), (rows) => {
        const found = new Map<string, string | undefined>();
        for (const row of rows) found.set(decode(row.key as string), this.#value(row, [this.#ns, row.key]));
        return keys.map((key) => found.get(key));
      }),
    );
  }

  set(key: string, text: string, ttlMs: number | undefined): MaybePromise<unknown> {
    const args = [this.#ns, this.#key(key), text, this.#expiring(ttlMs)];
    const sql = this.#max === undefined ? this.#s.set : this.#s.setTouch;
    return this.#x.now(() => this.#write("set", sql, this.#s.setEvict, args));
  }

  setMany(rows: readonly CacheRow[]): MaybePromise<unknown> {
    const { setMany, setManyForever, setManyEvict } = this.#s;
    const ns = this.#ns;
    if (setMany === undefined) {
      const write = this.#s.setRows === undefined ? this.#rowByRow(rows) : this.#inChunks(rows, this.#s.setRows);
      return this.#x.now(() =>
        this.#x.transaction(() => {
          write();
          if (this.#max !== undefined) this.#evict();
        }),
      );
    }
    // One statement cannot write a row twice: a repeated key keeps its last value and position.
    const last = new Map<string, CacheRow>();
    for (const row of rows) {
      last.delete(row[0]);
      last.set(row[0], row);
    }
    const keys: string[] = [];
    const texts: string[] = [];
    const ttls: (number | null)[] = [];
    for (const [key, text, ttl] of last.values()) {
      keys.push(this.#key(key));
      texts.push(text);
      ttls.push(this.#expiring(ttl));
    }
    const max = this.#max;
    if (max === undefined && setManyForever !== undefined && ttls.every((ttl) => ttl === null)) {
      return this.#x.all("setMany", setManyForever, [ns, keys, texts]);
    }
    const args = [ns, keys, texts, ttls];
    if (max === undefined || keys.length <= max) return this.#write("setMany", setMany, setManyEvict, args);
    // More keys than fit: the eviction must see the batch's own rows, so it runs after it.
    return then(this.#x.all("setMany", setMany, args), () => this.#evict());
  }

  // One statement per row (inside the caller's transaction).
  #rowByRow(rows: readonly CacheRow[]): () => void {
    const all = rows.map(([key, text, ttl]) => [this.#ns, this.#key(key), text, this.#expiring(ttl)]);
    const sql = this.#max === undefined ? this.#s.set : this.#s.setTouch;
    return () => {
      for (const args of all) this.#x.all("setMany", sql, args);
    };
  }

  // ROWS_PER_STATEMENT rows per statement (in the caller's transaction, so synchronous).
  #inChunks(rows: readonly CacheRow[], setRows: (count: number, touch: boolean) => string): () => void {
    const touch = this.#max !== undefined;
    const params: unknown[] = new Array(rows.length * 5);
    const ttls: (number | null)[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [key, text, ttl] = rows[i] as CacheRow;
      params[i * 5] = this.#ns;
      params[i * 5 + 1] = this.#key(key);
      params[i * 5 + 2] = text;
      ttls[i] = this.#expiring(ttl);
    }
    return () => {
      const now = Date.now();
      const next = this.#first("setMany", this.#s.nextAccess as string, [this.#ns]) as SqlCacheRow | undefined;
      let access = Number(next?.next ?? 1);
      ttls.forEach((ttl, i) => {
        params[i * 5 + 3] = ttl === null ? null : now + ttl;
        params[i * 5 + 4] = access++;
      });
      for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
        const count = Math.min(ROWS_PER_STATEMENT, rows.length - from);
        const args = from === 0 && count === rows.length ? params : params.slice(from * 5, (from + count) * 5);
        this.#x.all("setMany", setRows(count, touch), args);
      }
    };
  }

  add(key: string, text: string, ttlMs: number | undefined): MaybePromise<boolean> {
    const args = [this.#ns, this.#key(key), text, this.#expiring(ttlMs)];
    return this.#x.now(() =>
      then(
        this.#write("add", this.#s.add, this.#s.addEvict, args),
        (rows) => Number(rows[0]?.written ?? rows.length) > 0,
      ),
    );
  }

  increment(key: string, by: number, ttlMs: number | undefined): MaybePromise<number> {
    const args = [this.#ns, this.#key(key), by, this.#expiring(ttlMs)];
    if (!this.#inSql) return this.#x.now(() => this.#x.transaction(() => this.#incrementHere(key, by, args)));
    return this.#x.now(() => {
      const sql = (this.#max !== undefined && this.#s.incrementTouch) || this.#s.increment;
      const sum = then(this.#write("increment", sql, this.#s.incrementEvict, args), (rows) => {
        const text = rows[0]?.value;
        return text === undefined || text === null
          ? this.#refuse(key, by, args)
          : (this.#values.decode(String(text)) as number);
      });
      if (!(sum instanceof Promise)) return sum;
      return sum.catch((err) =>
        BackendError.is(err, "INVALID_ARGUMENT") ? this.#refuse(key, by, args) : Promise.reject(err),
      );
    });
  }

  /** The statement refused to add (a value that is no safe integer, or a sum out of range): the codec says which. */
  #refuse(key: string, by: number, args: unknown[]): MaybePromise<number> {
    return then(this.#x.all("increment", this.#s.get, args.slice(0, 2)), (rows) => {
      this.#values.increment(key, rows[0]?.value as string | undefined, by);
      throw invalidArgument(this.#d.backend, `cannot increment ${JSON.stringify(key)}`);
    });
  }

  /** Read, add and write back (inside the transaction), for codecs whose text SQL cannot add to. */
  #incrementHere(key: string, by: number, [ns, stored, , ttl]: unknown[]): number {
    const row = (this.#x.all("increment", this.#s.get, [ns, stored]) as SqlCacheRow[])[0];
    const now = Date.now();
    const expires = row?.expires_at === null || row?.expires_at === undefined ? null : Number(row.expires_at);
    const live = row !== undefined && (expires === null || expires > now);
    const next = this.#values.increment(key, live ? (row.value as string) : undefined, by);
    const kept = live ? (expires === null ? null : expires - now) : ttl;
    const sql = this.#max === undefined ? this.#s.set : this.#s.setTouch;
    this.#x.all("increment", sql, [ns, stored, this.#values.encode(next), kept]);
    if (this.#max !== undefined) this.#evict();
    return next;
  }

  delete(key: string): MaybePromise<boolean> {
    return then(this.deleteMany([key]), (n) => n > 0);
  }

  deleteMany(keys: readonly string[]): MaybePromise<number> {
    const args = [this.#ns, keys.map(this.#key)];
    return this.#x.now(() => then(this.#x.all("deleteMany", this.#s.deleteMany, args), (rows) => counted(rows, "n")));
  }

  has(key: string): MaybePromise<boolean> {
    return then(this.ttl(key), (ms) => ms !== undefined);
  }

  ttl(key: string): MaybePromise<number | null | undefined> {
    const args = [this.#ns, this.#key(key)];
    return this.#x.now(() =>
      then(this.#x.all("ttl", this.#s.ttl, args), ([row]) => {
        if (row === undefined) return undefined;
        return row.ms === null || row.ms === undefined ? null : Number(row.ms);
      }),
    );
  }

  async *keys(prefix: string): AsyncIterable<string> {
    const decode = this.#d.decodeKey ?? same;
    const from = (this.#d.keysPrefix ?? same)(prefix);
    let after = "";
    for (;;) {
      const args = [this.#ns, after, from, KEYS_PAGE];
      const rows = await this.#x.now(() => this.#x.all("keys", this.#s.keysPage, args));
      for (const row of rows) {
        const key = decode(row.key as string);
        if (!key.startsWith(prefix)) return;
        yield key;
      }
      if (rows.length < KEYS_PAGE) return;
      after = rows[rows.length - 1]?.key as string;
    }
  }

  clear(): MaybePromise<number> {
    return this.#x.now(() => then(this.#x.all("clear", this.#s.clear, [this.#ns]), (rows) => counted(rows, "n")));
  }

  /** `entries` and `live`: live entries; `expired`: past their TTL, not yet swept. */
  stats(): MaybePromise<{ entries: number; live: number; expired: number }> {
    return this.#x.now(() =>
      then(this.#x.all("stats", this.#s.count, [this.#ns]), ([row]) => {
        const live = Number(row?.n ?? 0);
        return { entries: live, live, expired: Number(row?.stored ?? 0) - live };
      }),
    );
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unregister?.();
    this.#unregister = undefined;
  }
}
