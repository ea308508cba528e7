import { BackendError, type Codec, type QueueEntry } from "@core/protocols";
import type { RedisClientLike } from "./client.js";
import { decodeStored } from "./errors.js";
import { BLOCK_MS, type DedicatedConnection, openDedicated, type RedisShared, run } from "./shared.js";

/** One entry as XRANGE / XREAD return it: `[id, [field, value, …]]`. */
export type RawEntry = [string, string[]];

/** The stream id of an offset (ids are `0-(offset+1)`; `0-0` is not a valid id). */
export function idOf(offset: number): string {
  return `0-${offset + 1}`;
}

/**
 * Decodes raw stream entries of a topic.
 *
 * @example
 * ```ts
 * const entries = decodeEntries<string>(raw, defaultCodec);
 * ```
 */
export function decodeEntries<V>(raw: RawEntry[], codec: Codec): QueueEntry<V>[] {
  return raw.map(([id, fields]) => {
    let t = 0;
    let v = "";
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] === "t") t = Number(fields[i + 1]);
      else if (fields[i] === "v") v = fields[i + 1] as string;
    }
    const offset = Number(id.slice(id.indexOf("-") + 1)) - 1;
    return { offset, value: decodeStored(codec, v) as V, timestamp: t };
  });
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

const PAGE = 256;
const RETRY_MS = [20, 50, 100, 200, 500, 1000];

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** What {@link streamEntries} reads. */
export interface StreamSource {
  shared: RedisShared;
  key: string;
  codec: Codec;
  /** Offset of the first kept entry, to start from by default. */
  first: () => Promise<number>;
}

/**
 * Pages through a topic from `offset`; with `block`, waits at the end with `XREAD BLOCK`
 * on a dedicated connection, which is ended (rejecting the pending read) when `signal`
 * aborts or the backend closes. A blocked reader rides out a lost connection: it retries
 * with backoff from the last offset it yielded, so entries that survived are neither
 * lost nor repeated.
 *
 * @example
 * ```ts
 * for await (const e of streamEntries(source, { block: true, signal })) console.log(e.offset);
 * ```
 */
export async function* streamEntries<V>(
  source: StreamSource,
  options: { offset?: number; limit?: number; block?: boolean; signal?: AbortSignal },
): AsyncGenerator<QueueEntry<V>> {
  const { shared, key, codec } = source;
  const stop = options.signal ? AbortSignal.any([options.signal, shared.lifecycle.signal]) : shared.lifecycle.signal;
  let cursor = options.offset ?? (await source.first());
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  let conn: DedicatedConnection | undefined;
  const onStop = () => conn?.release();
  stop.addEventListener("abort", onStop, { once: true });
  let failures = 0;
  try {
    while (remaining > 0 && !stop.aborted) {
      const count = Math.min(PAGE, remaining);
      let raw: RawEntry[];
      try {
        raw = await run(shared, "queue.stream", () => readRange(shared.client, key, cursor, count));
        if (raw.length === 0 && options.block) {
          conn ??= await openDedicated(shared, "queue.stream");
          if (stop.aborted) return;
          const client = conn.client;
          const reply = (await run(shared, "queue.stream", () =>
            client.call("XREAD", "COUNT", count, "BLOCK", BLOCK_MS, "STREAMS", key, `0-${cursor}`),
          )) as [string, RawEntry[]][] | null;
          raw = reply?.[0]?.[1] ?? [];
          if (raw.length === 0) continue;
        }
        failures = 0;
      } catch (err) {
        if (stop.aborted) return;
        // A blocking reader waits out outages (reconnecting); a plain read reports them.
        const timedOut = BackendError.is(err, "TIMEOUT");
        if (!options.block || !(timedOut || BackendError.is(err, "CONNECTION"))) throw err;
        await delay(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] as number, stop);
        // A connection that left a read unanswered may be dead without knowing it: replace it.
        if (conn && (timedOut || conn.client.status === "end")) {
          conn.release();
          conn = undefined;
        }
        continue;
      }
      if (raw.length === 0) return;
      for (const entry of decodeEntries<V>(raw, codec)) {
        yield entry;
        remaining--;
        cursor = entry.offset + 1;
        if (stop.aborted || remaining === 0) return;
      }
    }
  } finally {
    stop.removeEventListener("abort", onStop);
    conn?.release();
  }
}
