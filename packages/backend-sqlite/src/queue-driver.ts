import type { QueueEntry, TrimOptions } from "@core/protocols";
import type { DecodeStored, QueueDriver, QueueLogDriver, QueueWatch } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import {
  COMMIT,
  COMMITTED,
  DROP,
  GROUP_STATE,
  GROUP_STATE_CREATE,
  GROUP_STATE_SWAP,
  insertRows,
  NEXT_OFFSET,
  POSITION,
  PUT,
  READ,
  ROWS_PER_INSERT,
  TRIMMED,
} from "./queue-sql.js";
import type { SqliteShared } from "./shared.js";

/**
 * The sqlite backend's queue storage: rows of the shared `core_queue` table. The next
 * offset is one past the newest entry (or, once trim emptied the log, the position trim
 * recorded in `core_queue_topics`), taken inside the writing statement or `BEGIN
 * IMMEDIATE` transaction, so offsets are dense, contiguous per batch and never reused,
 * even with writers in other processes or after `trim`. Blocking readers wait on the
 * connection's notifier (native blocking: this process's writes at once, other
 * processes' commits through `data_version`).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(sqliteQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function sqliteQueueDriver(shared: SqliteShared): QueueDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    openLog: (storageName) => new SqliteQueueLog(shared, storageName),
  };
}

interface EntryRow {
  seq: number;
  value: string;
  ts: number;
}

class SqliteQueueLog implements QueueLogDriver {
  readonly #shared: SqliteShared;
  readonly #topic: string;
  readonly #wakeKey: string;

  constructor(shared: SqliteShared, topic: string) {
    this.#shared = shared;
    this.#topic = topic;
    this.#wakeKey = `queue:${topic}`;
  }

  appendOne(text: string): Promise<number> {
    return this.#shared.run(() => this.#insertOne(text));
  }

  append(texts: readonly string[]): Promise<number> {
    if (texts.length === 1) return this.appendOne(texts[0] as string);
    return this.#shared.run(() => this.#appendMany(texts));
  }

  /**
   * One entry: a single statement, atomic across processes without a transaction. Run with
   * `all()`, never `get()`: in autocommit a RETURNING statement commits when it completes,
   * and `get()` stops after the first row and resets it, which drops a failed commit
   * (SQLITE_FULL) on the floor — the offset would be returned for an entry never stored.
   */
  #insertOne(text: string): number {
    const topic = this.#topic;
    const offset = this.#shared.prepare(PUT).pluck().all(topic, topic, topic, text, Date.now())[0] as number;
    this.#shared.notifier.notify(this.#wakeKey);
    return offset;
  }

  #appendMany(texts: readonly string[]): number {
    const { prepare } = this.#shared;
    const ts = Date.now();
    const topic = this.#topic;
    const first = this.#shared.write(() => {
      const start = prepare(NEXT_OFFSET).pluck().get({ topic }) as number;
      for (let from = 0; from < texts.length; from += ROWS_PER_INSERT) {
        const n = Math.min(ROWS_PER_INSERT, texts.length - from);
        const params: unknown[] = new Array(n * 4);
        for (let i = 0; i < n; i++) {
          params[i * 4] = topic;
          params[i * 4 + 1] = start + from + i;
          params[i * 4 + 2] = texts[from + i];
          params[i * 4 + 3] = ts;
        }
        prepare(insertRows(n)).run(params);
      }
      return start;
    });
    this.#shared.notifier.notify(this.#wakeKey);
    return first;
  }

  read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]> {
    return this.#shared.run(() => {
      const rows = this.#shared.prepare(READ).all(this.#topic, offset, limit) as EntryRow[];
      const out: QueueEntry<V>[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as EntryRow;
        out[i] = { offset: row.seq, value: decode(row.value), timestamp: row.ts };
      }
      return out;
    });
  }

  next(): Promise<number> {
    return this.#shared.run(() => this.#shared.prepare(NEXT_OFFSET).pluck().get({ topic: this.#topic }) as number);
  }

  stats() {
    return this.#shared.run(() => {
      const { next, first } = this.#position();
      return { totalCount: next, firstOffset: first };
    });
  }

  #position(): { next: number; first: number } {
    return this.#shared.prepare(POSITION).get({ topic: this.#topic }) as { next: number; first: number };
  }

  commit(group: string, nextOffset: number): Promise<void> {
    return this.#shared.run(() => {
      this.#shared.prepare(COMMIT).run(this.#topic, group, nextOffset);
    });
  }

  committed(group: string): Promise<number> {
    return this.#shared.run(() => (this.#shared.prepare(COMMITTED).pluck().get(this.#topic, group) as number) ?? 0);
  }

  groupState(group: string): Promise<string | undefined> {
    return this.#shared.run(
      () => (this.#shared.prepare(GROUP_STATE).pluck().get(this.#topic, group) as string | undefined) ?? undefined,
    );
  }

  swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    return this.#shared.run(() => {
      const result =
        expected === undefined
          ? this.#shared.prepare(GROUP_STATE_CREATE).run(this.#topic, group, next)
          : this.#shared.prepare(GROUP_STATE_SWAP).run(next, this.#topic, group, expected);
      return result.changes === 1;
    });
  }

  trim(_options: TrimOptions, target: (next: number) => number): Promise<number> {
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const { next, first } = this.#position();
        const before = Math.min(target(next), next);
        if (before <= first) return 0;
        this.#shared.prepare(DROP).run(this.#topic, before);
        // Recorded so the offsets go on from `next` even if the log is now empty.
        this.#shared.prepare(TRIMMED).run(this.#topic, next, before);
        return before - first;
      }),
    );
  }

  watch<V>(): QueueWatch<V> {
    const { notifier } = this.#shared;
    const key = this.#wakeKey;
    const markNow = () => this.#shared.run(() => notifier.mark(key));
    // Marked before a read: a write committed after it (here or elsewhere) wakes the wait.
    let mark: ReturnType<typeof notifier.mark> | undefined;
    return {
      ready: async () => {
        mark = await markNow();
      },
      wait: async (_cursor, _limit, _decode, stop) => {
        if (mark !== undefined) await notifier.wait(key, mark, stop);
        mark = await markNow();
        return undefined;
      },
      dispose: () => {},
    };
  }
}
