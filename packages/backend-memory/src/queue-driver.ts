import type { QueueDriver, QueueLogDriver, QueueWatch } from "@core/protocols/kit";
import { QueueLog } from "./queue-log.js";
import type { MemoryShared } from "./shared.js";

/**
 * The memory backend's queue storage: one {@link QueueLog} per log name in the backend's
 * shared map (handles on the same name share it). Work is synchronous, so every method
 * returns an already-settled promise and nothing is ever in flight for `close()`;
 * blocking readers are woken in-process on append (native blocking).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(memoryQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function memoryQueueDriver(shared: MemoryShared): QueueDriver {
  return {
    backend: "memory",
    lifecycle: shared.lifecycle,
    openLog: (storageName) => {
      let log = shared.queues.get(storageName) as QueueLog | undefined;
      if (log === undefined) {
        log = new QueueLog();
        shared.queues.set(storageName, log);
      }
      return new MemoryQueueLog(log);
    },
  };
}

class MemoryQueueLog implements QueueLogDriver {
  readonly #log: QueueLog;

  constructor(log: QueueLog) {
    this.#log = log;
  }

  appendOne(text: string): Promise<number> {
    return Promise.resolve(this.#log.append(text, Date.now()));
  }

  append(texts: readonly string[]): Promise<number> {
    const now = Date.now();
    return Promise.resolve(
      texts.length === 1 ? this.#log.append(texts[0] as string, now) : this.#log.appendMany(texts, now),
    );
  }

  read<V>(offset: number, limit: number, decode: (text: string) => V) {
    try {
      return Promise.resolve(this.#log.read<V>(offset, limit, decode));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  next(): Promise<number> {
    return Promise.resolve(this.#log.next);
  }

  stats() {
    return Promise.resolve({ totalCount: this.#log.next, firstOffset: this.#log.first });
  }

  commit(group: string, nextOffset: number): Promise<void> {
    this.#log.groups.set(group, nextOffset);
    return Promise.resolve();
  }

  committed(group: string): Promise<number> {
    return Promise.resolve(this.#log.groups.get(group) ?? 0);
  }

  groupState(group: string): Promise<string | undefined> {
    return Promise.resolve(this.#log.groupStates.get(group));
  }

  swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    const states = this.#log.groupStates;
    if (states.get(group) !== expected) return Promise.resolve(false);
    states.set(group, next);
    return Promise.resolve(true);
  }

  trim(_options: unknown, before: (next: number) => number): Promise<number> {
    return Promise.resolve(this.#log.trimBefore(before(this.#log.next)));
  }

  watch<V>(): QueueWatch<V> {
    const log = this.#log;
    return {
      // Checked and parked in one synchronous step: no append can slip in between.
      wait: async (cursor, _limit, _decode, stop) => {
        if (log.next <= cursor) await log.waitForAppend(stop);
        return undefined;
      },
      dispose: () => {},
    };
  }
}
