import type { QueueEntry, TrimOptions } from "@core/protocols";
import type { DecodeStored, QueueDriver, QueueLogDriver, QueueWatch } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { namespaceKey } from "./keys.js";
import { entriesOf, idOf, offsetOf, type RawEntry, readRange, xreadWatch } from "./queue-stream.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

/**
 * The redis backend's queue storage: a Redis stream with dense offsets (offset o has id
 * `0-(o+1)`), an offset counter, a hash of consumer groups and one of group-stream claim
 * records, all under
 * `{prefix}:{q:<topic>}`. Bucket i is the log `name + "\u0000" + i`: its own hash tag, so
 * buckets spread over cluster slots. Blocking readers use `XREAD BLOCK` (native blocking).
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
    const raw = await run(this.#shared, "queue.get", () => readRange(this.#shared.client, this.#stream, offset, limit));
    return entriesOf(raw, decode);
  }

  async next(): Promise<number> {
    const n = await run(this.#shared, "queue.count", () => this.#shared.client.call("GET", this.#counter));
    return n === null ? 0 : Number(n);
  }

  async stats() {
    const [total, head] = await run(this.#shared, "queue.stats", async () => {
      const tx = this.#shared.client.multi();
      tx.call("GET", this.#counter);
      tx.call("XRANGE", this.#stream, "-", "+", "COUNT", 1);
      const results = await tx.exec();
      if (results === null) throw new Error("Connection is closed.");
      for (const [err] of results) if (err) throw err;
      return [results[0]?.[1] as string | null, results[1]?.[1] as RawEntry[]] as const;
    });
    const totalCount = total === null ? 0 : Number(total);
    const firstId = head[0]?.[0];
    return { totalCount, firstOffset: firstId === undefined ? totalCount : offsetOf(firstId) };
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    await run(this.#shared, "queue.commit", () => this.#shared.client.call("HSET", this.#groups, group, nextOffset));
  }

  async committed(group: string): Promise<number> {
    const n = await run(this.#shared, "queue.committed", () => this.#shared.client.call("HGET", this.#groups, group));
    return n === null ? 0 : Number(n);
  }

  async groupState(group: string): Promise<string | undefined> {
    const text = await run(this.#shared, "queue.groupState", () =>
      this.#shared.client.call("HGET", this.#groupStates, group),
    );
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
    const trim =
      "maxLength" in options && options.maxLength !== undefined
        ? ["MAXLEN", options.maxLength]
        : ["MINID", idOf(before(0))];
    return (await run(this.#shared, "queue.trim", () =>
      this.#shared.client.call("XTRIM", this.#stream, ...trim),
    )) as number;
  }

  watch<V>(): QueueWatch<V> {
    return xreadWatch<V>(this.#shared, this.#stream);
  }
}
