import type { QueueEntry, TrimOptions } from "@core/protocols";
import type { DecodeStored, QueueDriver, QueueLogDriver, QueueWatch } from "@core/protocols/kit";
import { query } from "./db.js";
import { BACKEND } from "./errors.js";
import { queueStatements } from "./queue-sql.js";
import type { StoreShared } from "./shared.js";

// Fallback only: a blocked reader is woken by NOTIFY; this bounds the wait if one is lost.
const POLL_MS = 500;

/**
 * The postgres backend's queue storage: rows of `queue_entries` at dense offsets under a
 * counter row in `queue_topics`. Bucket i of topic t is stored as topic `t + "\u001f" + i`.
 * Blocking readers wait on the backend's LISTEN connection (native blocking: the append
 * NOTIFYs `q:<topic>` in its own statement).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(postgresQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function postgresQueueDriver(shared: StoreShared): QueueDriver {
  const sql = queueStatements(shared.quotedSchema);
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    bucketSeparator: "\u001f",
    openLog: (storageName) => new PostgresQueueLog(shared, sql, storageName),
  };
}

interface EntryRow {
  offset: string;
  value: string;
  ts: string;
}

function firstOffset(result: { rows: Record<string, unknown>[] }): number {
  return Number(result.rows[0]?.first);
}

class PostgresQueueLog implements QueueLogDriver {
  readonly #shared: StoreShared;
  readonly #sql: ReturnType<typeof queueStatements>;
  readonly #topic: string;

  constructor(shared: StoreShared, sql: ReturnType<typeof queueStatements>, topic: string) {
    this.#shared = shared;
    this.#sql = sql;
    this.#topic = topic;
  }

  // A single put binds its text, not a one-element array to unnest.
  appendOne(text: string): Promise<number> {
    return query(this.#shared, "queue.put", this.#sql.appendOne, [
      this.#topic,
      text,
      Date.now(),
      this.#shared.notifyChannel,
      `q:${this.#topic}`,
    ]).then(firstOffset);
  }

  async append(texts: readonly string[]): Promise<number> {
    const { rows } = await query(this.#shared, "queue.put", this.#sql.append, [
      this.#topic,
      texts,
      Date.now(),
      this.#shared.notifyChannel,
      `q:${this.#topic}`,
    ]);
    return Number(rows[0]?.first);
  }

  async read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]> {
    const { rows } = await query<EntryRow>(this.#shared, "queue.get", this.#sql.read, [this.#topic, offset, limit]);
    const out: QueueEntry<V>[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as EntryRow;
      out[i] = { offset: Number(row.offset), value: decode(row.value), timestamp: Number(row.ts) };
    }
    return out;
  }

  async next(): Promise<number> {
    const { rows } = await query(this.#shared, "queue.count", this.#sql.count, [this.#topic]);
    return Number(rows[0]?.next_offset ?? 0);
  }

  async stats() {
    const { rows } = await query(this.#shared, "queue.stats", this.#sql.stats, [this.#topic]);
    const totalCount = Number(rows[0]?.total ?? 0);
    const first = rows[0]?.first;
    return { totalCount, firstOffset: first === null || first === undefined ? totalCount : Number(first) };
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    await query(this.#shared, "queue.commit", this.#sql.commit, [this.#topic, group, nextOffset]);
  }

  async committed(group: string): Promise<number> {
    const { rows } = await query(this.#shared, "queue.committed", this.#sql.committed, [this.#topic, group]);
    return Number(rows[0]?.next_offset ?? 0);
  }

  async groupState(group: string): Promise<string | undefined> {
    const { rows } = await query(this.#shared, "queue.groupState", this.#sql.groupState, [this.#topic, group]);
    return rows[0]?.state ?? undefined;
  }

  async swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    const result =
      expected === undefined
        ? await query(this.#shared, "queue.groupState", this.#sql.groupStateCreate, [this.#topic, group, next])
        : await query(this.#shared, "queue.groupState", this.#sql.groupStateSwap, [this.#topic, group, next, expected]);
    return result.rowCount === 1;
  }

  async trim(options: TrimOptions): Promise<number> {
    const { rowCount } =
      "maxLength" in options && options.maxLength !== undefined
        ? await query(this.#shared, "queue.trim", this.#sql.trimMaxLength, [this.#topic, options.maxLength])
        : await query(this.#shared, "queue.trim", this.#sql.trimBefore, [
            this.#topic,
            (options as { before: number }).before,
          ]);
    return rowCount ?? 0;
  }

  watch<V>(): QueueWatch<V> {
    const { listener } = this.#shared;
    const waiter = listener.arm(`q:${this.#topic}`);
    return {
      ready: () => listener.ready(),
      wait: async (_cursor, _limit, _decode, stop) => {
        await waiter.wait(POLL_MS, stop);
        return undefined;
      },
      dispose: () => waiter.dispose(),
    };
  }
}
