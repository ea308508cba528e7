import { join } from "node:path";
import type { QueueEntry, QueueOptions, TrimOptions } from "@core/protocols";
import type { DecodeStored, QueueDriver, QueueLogDriver, QueueWatch } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { fileName } from "./names.js";
import type { RawEntry } from "./queue-segment.js";
import { type FileShared, storeState } from "./shared.js";
import { Topic } from "./topic.js";

/** Queue tuning of a file backend (defaults for every topic it opens). */
export interface FileQueueDefaults {
  batchSize: number;
  flushIntervalMs: number;
  maxBuffered: number;
  segmentBytes: number;
  pollIntervalMs: number;
}

/** The topic state of `storageName`, shared by every handle of this backend. */
export function topicOf(shared: FileShared, storageName: string, tuning: FileQueueDefaults): Topic {
  return storeState(shared, `queue\u0000${storageName}`, () => {
    const topic = new Topic(join(shared.directory, "queue", fileName(storageName)), {
      ...tuning,
      lock: shared.lock,
      what: `queue ${JSON.stringify(storageName)}`,
      onDamage: shared.onDamage,
    });
    shared.lifecycle.onClose(() => topic.close());
    return topic;
  });
}

/**
 * The file backend's queue storage: topic `name` in `queue/<sha256(name)>/` (bucket `i`
 * as `name + "\u0000" + i`), a {@link Topic}: native buffering (offsets assigned at once)
 * and native blocking.
 */
export function fileQueueDriver(shared: FileShared, defaults: FileQueueDefaults): QueueDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    nativeBuffering: true,
    openLog: (storageName: string, options: QueueOptions | undefined) => {
      const tuning: FileQueueDefaults = {
        ...defaults,
        batchSize: options?.batchSize ?? defaults.batchSize,
        flushIntervalMs: options?.flushIntervalMs ?? defaults.flushIntervalMs,
        maxBuffered: options?.maxBuffered ?? defaults.maxBuffered,
      };
      return new FileQueueLog(shared, topicOf(shared, storageName, tuning));
    },
  };
}

class FileQueueLog implements QueueLogDriver {
  readonly #shared: FileShared;
  readonly #topic: Topic;

  constructor(shared: FileShared, topic: Topic) {
    this.#shared = shared;
    this.#topic = topic;
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#shared.lifecycle.run(fn);
  }

  /** `fn` after catching up with other processes' writes, serialised with this topic's work. */
  #current<T>(fn: () => T): Promise<T> {
    return this.#run(() =>
      this.#topic.serial(async () => {
        await this.#topic.refresh();
        return fn();
      }),
    );
  }

  append(texts: readonly string[]): Promise<number> {
    return this.#run(() => this.#topic.append(texts));
  }

  read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]> {
    return this.#run(async () => {
      const raw = this.#topic.readNow(offset, limit) ?? (await this.#readCurrent(offset, limit));
      const out: QueueEntry<V>[] = new Array(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const entry = raw[i] as RawEntry;
        out[i] = { offset: entry.offset, value: decode(entry.text), timestamp: entry.timestamp };
      }
      return out;
    });
  }

  /** The slow path of a read: after catching up, from `offset` raised to the first kept one. */
  #readCurrent(offset: number, limit: number): Promise<RawEntry[]> {
    return this.#topic.serial(async () => {
      await this.#topic.refresh();
      return this.#topic.read(Math.max(offset, this.#topic.log.meta.current().first), limit);
    });
  }

  next(): Promise<number> {
    return this.#current(() => this.#topic.next);
  }

  stats() {
    return this.#current(() => {
      const topic = this.#topic;
      return {
        totalCount: topic.next,
        firstOffset: Math.min(topic.log.meta.current().first, topic.next),
        bufferedCount: topic.buffered,
        persistedCount: topic.persisted,
        truncatedBytes: topic.log.truncatedBytes,
        damagedRecords: topic.log.damagedRecords,
        segments: topic.log.segmentCount,
      };
    });
  }

  flush(): Promise<void> {
    return this.#run(() => this.#topic.flush());
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    await this.#run(() =>
      this.#topic.updateMeta((meta) => {
        meta.groups[group] = nextOffset;
        return true;
      }),
    );
  }

  committed(group: string): Promise<number> {
    return this.#run(async () => {
      const meta = await this.#topic.log.meta.read();
      return Object.hasOwn(meta.groups, group) ? (meta.groups[group] as number) : 0;
    });
  }

  groupState(group: string): Promise<string | undefined> {
    return this.#run(async () => {
      const states = (await this.#topic.log.meta.read()).groupStates;
      return states !== undefined && Object.hasOwn(states, group) ? states[group] : undefined;
    });
  }

  swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    // Under the topic's lock, so the compare-and-set holds across processes.
    return this.#run(() =>
      this.#topic.updateMeta((meta) => {
        const states = meta.groupStates ?? {};
        if ((Object.hasOwn(states, group) ? states[group] : undefined) !== expected) return false;
        states[group] = next;
        meta.groupStates = states;
        return true;
      }),
    );
  }

  trim(_options: TrimOptions, target: (next: number) => number): Promise<number> {
    return this.#run(() =>
      this.#topic.exclusive(async () => {
        const meta = await this.#topic.log.meta.read();
        const next = this.#topic.log.next;
        const first = Math.max(meta.first, Math.min(target(next), next));
        const dropped = first - meta.first;
        if (dropped <= 0) return 0;
        meta.first = first;
        await this.#topic.log.writeMeta(meta);
        await this.#topic.log.dropBelow(first);
        return dropped;
      }),
    );
  }

  watch<V>(): QueueWatch<V> {
    const topic = this.#topic;
    return {
      wait: async (cursor, _limit, _decode, stop) => {
        // Checked and parked in one synchronous step: no write of this process slips in between.
        if (topic.next <= cursor) await topic.waitForAppend([stop]);
        return undefined;
      },
      dispose: () => {},
    };
  }
}
