import type { QueueEntry, TrimOptions } from "@core/protocols";
import type { DecodeStored, QueueDriver, QueueLogDriver, QueueWatch } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { namespaceKey } from "./keys.js";
import { scripts } from "./scripts.js";
import {
  call,
  type DedicatedConnection,
  openDedicated,
  type RawEntry,
  type RedisShared,
  readBlocking,
  run,
  throwFirst,
} from "./shared.js";

/** The stream id of an offset (ids are `0-(offset+1)`; `0-0` is not a valid id). */
const idOf = (offset: number): string => `0-${offset + 1}`;
/** The offset of a stream id. */
const offsetOf = (id: string): number => Number(id.slice(id.indexOf("-") + 1)) - 1;

/** Queue entries from raw stream entries: `queue-append.lua` writes the fields `t` (timestamp), `v` (value). */
function entriesOf<V>(raw: RawEntry[], decode: DecodeStored<V>): QueueEntry<V>[] {
  return raw.map(([id, f]) => ({ offset: offsetOf(id), value: decode(f[3] ?? ""), timestamp: Number(f[1] ?? 0) }));
}

/**
 * The redis backend's queue storage: a Redis stream with dense offsets (offset o has id
 * `0-(o+1)`), an offset counter, a hash of consumer groups and one of group-stream claim
 * records, all under `{prefix}:{q:<topic>}`. Bucket i is the log `name + "\u0000" + i`:
 * its own hash tag, so buckets spread over cluster slots. Blocking readers use
 * `XREAD BLOCK` on a dedicated connection (native blocking).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(redisQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function redisQueueDriver(shared: RedisShared): QueueDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    openLog: (storageName) => new RedisQueueLog(shared, storageName),
  };
}

class RedisQueueLog implements QueueLogDriver {
  readonly #shared: RedisShared;
  readonly #stream: string;
  readonly #counter: string;
  readonly #groups: string;
  readonly #groupStates: string;
  readonly #appendKeys: readonly string[];

  constructor(shared: RedisShared, storageName: string) {
    this.#shared = shared;
    const base = namespaceKey(shared.prefix, "q", storageName);
    this.#stream = `${base}:s`;
    this.#counter = `${base}:n`;
    this.#groups = `${base}:g`;
    this.#groupStates = `${base}:gs`;
    this.#appendKeys = [this.#stream, this.#counter];
  }

  /** One script run: the timestamp (ms) and then the texts. */
  async append(texts: readonly string[]): Promise<number> {
    const args: (string | number)[] = [Date.now()];
    for (let i = 0; i < texts.length; i++) args.push(texts[i] as string);
    const reply = await run(this.#shared, "queue.put", () =>
      scripts().queueAppend.run(this.#shared.client, this.#appendKeys, args),
    );
    return Number(reply);
  }

  async read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]> {
    const raw = await call(this.#shared, "queue.get", "XRANGE", this.#stream, idOf(offset), "+", "COUNT", limit);
    return entriesOf(raw as RawEntry[], decode);
  }

  async next(): Promise<number> {
    return Number(await call(this.#shared, "queue.count", "GET", this.#counter));
  }

  async stats() {
    const [total, head] = await run(this.#shared, "queue.stats", async () => {
      const tx = this.#shared.client.multi();
      tx.call("GET", this.#counter);
      tx.call("XRANGE", this.#stream, "-", "+", "COUNT", 1);
      return throwFirst(await tx.exec()) as [string | null, RawEntry[]];
    });
    const totalCount = Number(total);
    const firstId = head[0]?.[0];
    return { totalCount, firstOffset: firstId === undefined ? totalCount : offsetOf(firstId) };
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    await call(this.#shared, "queue.commit", "HSET", this.#groups, group, nextOffset);
  }

  async committed(group: string): Promise<number> {
    return Number(await call(this.#shared, "queue.committed", "HGET", this.#groups, group));
  }

  async groupState(group: string): Promise<string | undefined> {
    const text = await call(this.#shared, "queue.groupState", "HGET", this.#groupStates, group);
    return text === null ? undefined : String(text);
  }

  async swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    const swapped = await run(this.#shared, "queue.groupState", () =>
      expected === undefined
        ? this.#shared.client.call("HSETNX", this.#groupStates, group, next)
        : scripts().queueGroupSwap.run(this.#shared.client, [this.#groupStates], [group, expected, next]),
    );
    return Number(swapped) === 1;
  }

  async trim(options: TrimOptions, before: (next: number) => number): Promise<number> {
    const bound =
      "maxLength" in options && options.maxLength !== undefined
        ? ["MAXLEN", options.maxLength]
        : ["MINID", idOf(before(0))];
    return (await call(this.#shared, "queue.trim", "XTRIM", this.#stream, ...bound)) as number;
  }

  /**
   * `XREAD BLOCK` on a dedicated connection, opened on first use and ended (rejecting the
   * pending read) when the stream stops. A connection that left a read unanswered
   * (`TIMEOUT`) or ended is replaced on `recover`.
   */
  watch<V>(): QueueWatch<V> {
    const shared = this.#shared;
    let conn: DedicatedConnection | undefined;
    let stopped: AbortSignal | undefined;
    const onStop = () => conn?.release();
    return {
      wait: async (cursor, limit, decode, stop) => {
        if (stopped === undefined) {
          stopped = stop;
          stop.addEventListener("abort", onStop, { once: true });
        }
        conn ??= await openDedicated(shared, "queue.stream");
        if (stop.aborted) return undefined;
        const client = conn.client;
        const raw = await run(shared, "queue.stream", () =>
          readBlocking(client, ["XREAD"], limit, this.#stream, `0-${cursor}`),
        );
        return entriesOf(raw, decode);
      },
      recover: (error) => {
        const timedOut = (error as { code?: string }).code === "TIMEOUT";
        if (conn && (timedOut || conn.client.status === "end")) {
          conn.release();
          conn = undefined;
        }
      },
      dispose: () => {
        stopped?.removeEventListener("abort", onStop);
        conn?.release();
      },
    };
  }
}
