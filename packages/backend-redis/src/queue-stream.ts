import type { QueueEntry } from "@core/protocols";
import type { DecodeStored, QueueWatch } from "@core/protocols/kit";
import type { RedisClientLike } from "./client.js";
import { BLOCK_MS, type DedicatedConnection, openDedicated, type RedisShared, run } from "./shared.js";

/** One entry as XRANGE / XREAD return it: `[id, [field, value, …]]`. */
export type RawEntry = [string, string[]];

/**
 * The stream id of an offset (ids are `0-(offset+1)`; `0-0` is not a valid id).
 *
 * @example
 * ```ts
 * idOf(0); // "0-1"
 * ```
 */
export function idOf(offset: number): string {
  return `0-${offset + 1}`;
}

/**
 * The offset of a stream id (`0-(offset+1)`).
 *
 * @example
 * ```ts
 * offsetOf("0-1"); // 0
 * ```
 */
export function offsetOf(id: string): number {
  return Number(id.slice(id.indexOf("-") + 1)) - 1;
}

/**
 * Builds queue entries from raw stream entries (fields `t` = timestamp, `v` = value).
 *
 * @example
 * ```ts
 * const entries = entriesOf<string>(raw, decode);
 * ```
 */
export function entriesOf<V>(raw: RawEntry[], decode: DecodeStored<V>): QueueEntry<V>[] {
  const out: QueueEntry<V>[] = new Array(raw.length);
  for (let e = 0; e < raw.length; e++) {
    const [id, fields] = raw[e] as RawEntry;
    let t = 0;
    let v = "";
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] === "t") t = Number(fields[i + 1]);
      else if (fields[i] === "v") v = fields[i + 1] as string;
    }
    out[e] = { offset: offsetOf(id), value: decode(v), timestamp: t };
  }
  return out;
}

/**
 * Reads a page of entries from `offset` (below the first kept entry: from the first kept).
 *
 * @example
 * ```ts
 * const raw = await readRange(client, streamKey, 0, 100);
 * ```
 */
export async function readRange(client: RedisClientLike, key: string, offset: number, limit: number) {
  return (await client.call("XRANGE", key, idOf(offset), "+", "COUNT", limit)) as RawEntry[];
}

/**
 * A blocking reader's native wait: `XREAD BLOCK` on a dedicated connection, opened on
 * first use and ended (rejecting the pending read) when the stream stops. A connection
 * that left a read unanswered (`TIMEOUT`) or ended is replaced on `recover`.
 *
 * @example
 * ```ts
 * const watch = xreadWatch<string>(shared, streamKey);
 * const entries = await watch.wait(cursor, 100, decode, stop);
 * ```
 */
export function xreadWatch<V>(shared: RedisShared, key: string): QueueWatch<V> {
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
      const reply = (await run(shared, "queue.stream", () =>
        client.call("XREAD", "COUNT", limit, "BLOCK", BLOCK_MS, "STREAMS", key, `0-${cursor}`),
      )) as [string, RawEntry[]][] | null;
      return entriesOf(reply?.[0]?.[1] ?? [], decode);
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
