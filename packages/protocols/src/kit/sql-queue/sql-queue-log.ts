import type { Lifecycle } from "../../lifecycle.js";
import type { QueueEntry, TrimOptions } from "../../queue.js";
import type { DecodeStored, QueueDriver, QueueLogDriver, QueueLogStats, QueueWatch } from "../queue/queue-driver.js";
import type { MaybePromise } from "../records/record-driver.js";
import { andThen, type SqlExecutor, type SqlRow, toPromise } from "./sql-executor.js";
import type { SqlQueueStatements } from "./sql-queue-statements.js";
import type { WakeSource } from "./wake-source.js";

/** A blocked reader looks again this often even without a wake-up, in case one was lost (ms). */
const FALLBACK_WAIT_MS = 500;

/** At most this many puts skip the guess (`appendAt`) after guesses that kept missing. */
const MAX_GUESS_BACKOFF = 16;

/** What {@link sqlQueueDriver} builds a queue driver from. */
export interface SqlQueueParts {
  readonly backend: string;
  readonly lifecycle: Lifecycle;
  readonly statements: SqlQueueStatements;
  readonly exec: SqlExecutor;
  /** Wakes blocked readers when an append commits. */
  readonly wake: WakeSource;
  /** See {@link QueueDriver.bucketSeparator}. */
  readonly bucketSeparator?: string;
  /**
   * Each topic's next offset as this backend's appends last saw it: the guesses of
   * {@link SqlQueueStatements.appendAt}, shared by every queue handle the backend opens
   * (one map per backend). Without it each handle keeps its own.
   */
  readonly nextOffsets?: Map<string, number>;
}

/**
 * The queue storage of an SQL backend, for `createQueue`: entries in a table at dense
 * offsets, group offsets and claim records beside them, all through the dialect's
 * {@link SqlQueueStatements} run by its {@link SqlExecutor}. Blocking readers wait on the
 * backend's {@link WakeSource}; an append wakes them (`notify`, or the dialect's SQL).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(sqlQueueDriver({ backend: "sqlite", lifecycle, statements, exec, wake }), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function sqlQueueDriver(parts: SqlQueueParts): QueueDriver {
  return {
    backend: parts.backend,
    lifecycle: parts.lifecycle,
    bucketSeparator: parts.bucketSeparator,
    openLog: (storageName) => new SqlQueueLog(parts, storageName),
  };
}

// The lowest `first` of the rows: a dialect may return one row per appended entry, in any order.
function firstOf(rows: SqlRow[]): number {
  let first = Number(rows[0]?.first);
  for (let i = 1; i < rows.length; i++) first = Math.min(first, Number((rows[i] as SqlRow).first));
  return first;
}

class SqlQueueLog implements QueueLogDriver {
  readonly #sql: SqlQueueStatements;
  readonly #exec: SqlExecutor;
  readonly #wake: WakeSource;
  readonly #topic: string;
  readonly #key: string;
  /** Next offsets seen, by topic, when the dialect has `appendAt`. */
  readonly #next: Map<string, number> | undefined;
  // After a miss the next `#skip` puts append without guessing; `#backoff` doubles (1, 2,
  // 4 … MAX_GUESS_BACKOFF) while guesses keep missing — writers in other connections
  // taking turns — and a hit resets it, so a miss costs one wasted statement per run.
  #backoff = 0;
  #skip = 0;

  constructor({ statements, exec, wake, nextOffsets }: SqlQueueParts, topic: string) {
    this.#sql = statements;
    this.#exec = exec;
    this.#wake = wake;
    this.#topic = topic;
    this.#key = `q:${topic}`;
    this.#next = statements.appendAt === undefined ? undefined : (nextOffsets ?? new Map());
  }

  // `count` entries were appended from `first`: remember the next offset, wake readers.
  #wrote(first: number, count: number): number {
    if (this.#next !== undefined && Number.isSafeInteger(first)) this.#next.set(this.#topic, first + count);
    this.#wake.notify?.(this.#key);
    return first;
  }

  // A single put binds its text, not a one-element batch. With `appendAt` it first tries
  // the offset after the last append seen, without RETURNING; a miss appends as before.
  appendOne(text: string): Promise<number> {
    const ts = Date.now();
    const at = this.#sql.appendAt;
    const guess = at === undefined ? undefined : this.#next?.get(this.#topic);
    if (at === undefined || guess === undefined || this.#skip > 0) {
      if (this.#skip > 0) this.#skip--;
      return toPromise(() => this.#appendOne(text, ts));
    }
    const extra = this.#sql.appendParams;
    const params: unknown[] = [this.#topic, guess, text, ts];
    if (extra !== undefined) params.push(...extra);
    return toPromise(() =>
      andThen(this.#exec.changes(at, params, "queue.put"), (changed) => {
        if (changed === 1) {
          this.#backoff = 0;
          return this.#wrote(guess, 1);
        }
        this.#backoff = Math.min(2 * this.#backoff || 1, MAX_GUESS_BACKOFF);
        this.#skip = this.#backoff;
        return this.#appendOne(text, ts);
      }),
    );
  }

  #appendOne(text: string, ts: number): MaybePromise<number> {
    const params = [this.#topic, text, ts, ...(this.#sql.appendParams ?? [])];
    return andThen(this.#exec.rows(this.#sql.appendOne, params, "queue.put"), this.#appended);
  }

  readonly #appended = (rows: SqlRow[]): number => this.#wrote(firstOf(rows), 1);

  append(texts: readonly string[]): Promise<number> {
    if (texts.length === 1) return this.appendOne(texts[0] as string);
    const { append, batch, insertRows, appendParams = [] } = this.#sql;
    const exec = this.#exec;
    if (insertRows !== undefined && exec.atomic !== undefined) {
      const first = (tx: SqlExecutor) => this.#insertRows(tx, insertRows, texts);
      const inserted = (at: number) => this.#wrote(at, texts.length);
      return toPromise(() => andThen(exec.atomic?.("queue.put", first) as MaybePromise<number>, inserted));
    }
    const params = [this.#topic, batch?.(texts) ?? texts, Date.now(), ...appendParams];
    const appended = (rows: SqlRow[]) => this.#wrote(firstOf(rows), texts.length);
    return toPromise(() => andThen(exec.rows(append as string, params, "queue.put"), appended));
  }

  // Statements with many rows: one run instead of one per entry saves the per-run cost of
  // binding and stepping.
  #insertRows(tx: SqlExecutor, rows: { max: number; text(n: number): string }, texts: readonly string[]) {
    const topic = this.#topic;
    const ts = Date.now();
    return andThen(tx.rows(this.#sql.next, [topic], "queue.put"), (next) => {
      const start = Number(next[0]?.next ?? 0);
      let done: MaybePromise<unknown>;
      for (let from = 0; from < texts.length; from += rows.max) {
        const n = Math.min(rows.max, texts.length - from);
        const params: unknown[] = new Array(n * 4);
        for (let i = 0; i < n; i++) {
          params[i * 4] = topic;
          params[i * 4 + 1] = start + from + i;
          params[i * 4 + 2] = texts[from + i];
          params[i * 4 + 3] = ts;
        }
        done = andThen(done, () => tx.changes(rows.text(n), params, "queue.put"));
      }
      return andThen(done, () => start);
    });
  }

  read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]> {
    return toPromise(() =>
      andThen(this.#exec.rows(this.#sql.read, [this.#topic, offset, limit], "queue.get"), (rows) => {
        const out: QueueEntry<V>[] = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i] as SqlRow;
          out[i] = { offset: Number(row.offset), value: decode(row.value as string), timestamp: Number(row.ts) };
        }
        return out;
      }),
    );
  }

  next(): Promise<number> {
    return toPromise(() =>
      andThen(this.#exec.rows(this.#sql.next, [this.#topic], "queue.count"), (rows) => Number(rows[0]?.next ?? 0)),
    );
  }

  stats(): Promise<QueueLogStats> {
    return toPromise(() => this.#stats(this.#exec));
  }

  #stats(exec: SqlExecutor): MaybePromise<QueueLogStats> {
    return andThen(exec.rows(this.#sql.stats, [this.#topic], "queue.stats"), (rows) => {
      const totalCount = Number(rows[0]?.next ?? 0);
      const first = rows[0]?.first;
      return { totalCount, firstOffset: first === null || first === undefined ? totalCount : Number(first) };
    });
  }

  commit(group: string, nextOffset: number): Promise<void> {
    return toPromise(() =>
      andThen(this.#exec.changes(this.#sql.commit, [this.#topic, group, nextOffset], "queue.commit"), () => undefined),
    );
  }

  committed(group: string): Promise<number> {
    return toPromise(() =>
      andThen(this.#exec.rows(this.#sql.committed, [this.#topic, group], "queue.committed"), (rows) =>
        Number(rows[0]?.next_offset ?? 0),
      ),
    );
  }

  groupState(group: string): Promise<string | undefined> {
    return toPromise(() =>
      andThen(
        this.#exec.rows(this.#sql.groupState, [this.#topic, group], "queue.groupState"),
        (rows) => (rows[0]?.state as string | null | undefined) ?? undefined,
      ),
    );
  }

  swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    const changed =
      expected === undefined
        ? () => this.#exec.changes(this.#sql.groupStateCreate, [this.#topic, group, next], "queue.groupState")
        : () => this.#exec.changes(this.#sql.groupStateSwap, [next, this.#topic, group, expected], "queue.groupState");
    return toPromise(() => andThen(changed(), (n) => n === 1));
  }

  trim(_options: TrimOptions, target: (next: number) => number): Promise<number> {
    const run = (exec: SqlExecutor) =>
      andThen(this.#stats(exec), ({ totalCount: next, firstOffset: first }) => {
        const before = Math.min(target(next), next);
        if (before <= first) return 0;
        return andThen(exec.changes(this.#sql.trim, [this.#topic, before], "queue.trim"), (dropped) => {
          const { trimmed } = this.#sql;
          // Recorded so the offsets go on from `next` even if the log is now empty.
          if (trimmed === undefined) return dropped;
          return andThen(exec.changes(trimmed, [this.#topic, next, before], "queue.trim"), () => dropped);
        });
      });
    const exec = this.#exec;
    return toPromise(() => (exec.atomic ? exec.atomic("queue.trim", run) : run(exec)));
  }

  watch<V>(): QueueWatch<V> {
    const waiter = this.#wake.arm(this.#key);
    return {
      ready: () => waiter.ready?.() ?? Promise.resolve(),
      wait: async (_cursor, _limit, _decode, stop) => {
        await waiter.wait(FALLBACK_WAIT_MS, stop);
        return undefined;
      },
      dispose: () => waiter.dispose(),
    };
  }
}
