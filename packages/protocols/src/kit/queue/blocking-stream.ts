import { BackendError } from "../../errors.js";
import type { QueueEntry } from "../../queue.js";
import { abortableSleep } from "./abortable-sleep.js";
import type { DecodeStored, QueueLogDriver, QueueWatch } from "./queue-driver.js";

/** Entries read per page, so a long topic never sits in memory at once. */
const PAGE_SIZE = 256;
/** Backoff of a blocking reader riding out an outage (ms). */
const RETRY_MS = [20, 50, 100, 200, 500, 1000];
/** How often a blocking reader polls a driver without native blocking (ms). */
const POLL_MS = 50;

/** What {@link streamLog} reads and where it starts. */
export interface StreamPlan<V> {
  log: QueueLogDriver;
  decode: DecodeStored<V>;
  /** Aborted by the caller's signal or the backend's close. */
  stop: AbortSignal;
  offset: number;
  limit: number;
  block: boolean;
}

/**
 * The stream loop every backend shares: pages from `offset`; with `block`, waits at the
 * end on the driver's native {@link QueueWatch} (or polls with a timer that keeps the
 * process alive), rides out `CONNECTION`/`TIMEOUT` failures with backoff from the last
 * entry it yielded (nothing lost, nothing repeated), and ends cleanly when `stop` aborts.
 * A non-blocking stream reports failures.
 *
 * @example
 * ```ts
 * for await (const e of streamLog({ log, decode, stop, offset: 0, limit: Infinity, block: true })) use(e);
 * ```
 */
export async function* streamLog<V>(plan: StreamPlan<V>): AsyncGenerator<QueueEntry<V>> {
  const { log, decode, stop } = plan;
  if (stop.aborted) return;
  let cursor = plan.offset;
  let remaining = plan.limit;
  // Armed before the first read, so an append between a read and the wait is not lost.
  const watch = plan.block ? (log.watch?.<V>() ?? pollingWatch<V>()) : undefined;
  let failures = 0;
  try {
    if (watch?.ready) await watch.ready();
    while (remaining > 0 && !stop.aborted) {
      const count = Math.min(PAGE_SIZE, remaining);
      let page: QueueEntry<V>[];
      try {
        page = await log.read(cursor, count, decode);
        if (page.length === 0 && watch !== undefined) {
          page = (await watch.wait(cursor, count, decode, stop)) ?? [];
          if (page.length === 0) continue;
        }
        failures = 0;
      } catch (err) {
        if (stop.aborted) return;
        // A blocking reader waits out outages; a plain read reports them.
        if (watch === undefined || !(BackendError.is(err, "CONNECTION") || BackendError.is(err, "TIMEOUT"))) throw err;
        watch.recover?.(err);
        await abortableSleep(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] as number, stop, { keepAlive: true });
        continue;
      }
      if (page.length === 0) return;
      for (const entry of page) {
        yield entry;
        remaining--;
        cursor = entry.offset + 1;
        // The consumer may abort (or close the backend) while holding an entry.
        if (stop.aborted || remaining === 0) return;
      }
    }
  } finally {
    watch?.dispose();
  }
}

/**
 * The fallback of a driver without native blocking: poll (keeping the process alive).
 *
 * @example
 * ```ts
 * const watch = log.watch?.<V>() ?? pollingWatch<V>();
 * ```
 */
export function pollingWatch<V>(): QueueWatch<V> {
  return {
    wait: async (_cursor, _limit, _decode, stop) => {
      await abortableSleep(POLL_MS, stop, { keepAlive: true });
      return undefined;
    },
    dispose: () => {},
  };
}
