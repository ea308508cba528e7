import type { SendResult } from "@core/protocols";
import { decodeStoredMessage, type OutgoingMessage, type TransportDriver } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import type { Journal } from "./journal.js";
import { type FileQueueDefaults, topicOf } from "./queue-driver.js";
import type { RawEntry } from "./queue-segment.js";
import { settleWritten } from "./segment-log.js";
import { type FileShared, storeJournal, storeState } from "./shared.js";
import type { Topic } from "./topic.js";
import { DedupData, type DedupOp } from "./transport-dedup.js";
import { GroupState, type GroupTuning, slowestGroup, trimOutbox } from "./transport-group.js";
import { cursorPositions, fileSource, type MessagePositions } from "./transport-source.js";

/** Group and outbox settings of a file backend's transports. */
export interface FileTransportDefaults {
  /** A group's lease lasts this long without renewal (ms). */
  groupLeaseMs: number;
  /** Messages an outbox keeps beyond what its groups still need. */
  outboxRetention: number;
}

/** How many outbox entries the dedup recovery reads at a time. */
const SCAN_PAGE = 256;
/** How long a send trusts the slowest group position it last saw. */
const TRIM_RECHECK_MS = 1000;

interface Channel {
  topic: Topic;
  dedup: Journal<DedupOp>;
  dedupData: DedupData;
  groups: Map<string, Promise<GroupState>>;
  /** The slowest group position last seen here: spares sends a lock while it blocks trimming. */
  slowest: number;
  slowestAt: number;
}

/**
 * The file backend's transport storage, for `createTransport`. Each channel is an outbox
 * {@link Topic} (`queue/<sha256("\u0001transport\0" + channel)>/`), fsynced by `send`
 * before it resolves and read by subscribers in any process; groups hold a lease in its
 * `meta.json` (see {@link GroupState}); it is trimmed by whole segments past every group
 * and the retention. Idempotency keys travel inside the stored messages and are journalled
 * after them (see {@link DedupData}), so repeats are dropped across processes and a crash
 * never loses a message. The layer delivers.
 */
export function fileTransportDriver(
  shared: FileShared,
  defaults: FileQueueDefaults,
  transportDefaults: FileTransportDefaults,
): TransportDriver {
  const outboxes = new FileOutboxes(shared, defaults, transportDefaults);
  return {
    name: BACKEND,
    lifecycle: shared.lifecycle,
    encodes: "message",
    modes: ["durable", "ephemeral"],
    send: (channel, messages, settings) => outboxes.send(channel, messages, settings.dedupWindowMs),
    open: (channel, start) => outboxes.open(channel, start.group, start.fromStart),
  };
}

/** The channels' outboxes of one backend, as its transports write and read them. */
class FileOutboxes {
  readonly #shared: FileShared;
  readonly #defaults: FileQueueDefaults;
  readonly #tuning: GroupTuning;

  constructor(shared: FileShared, defaults: FileQueueDefaults, transportDefaults: FileTransportDefaults) {
    this.#shared = shared;
    this.#defaults = defaults;
    this.#tuning = {
      leaseMs: transportDefaults.groupLeaseMs,
      retryMs: defaults.pollIntervalMs,
      retention: transportDefaults.outboxRetention,
    };
  }

  #channel(name: string): Channel {
    const shared = this.#shared;
    return storeState<Channel>(shared, `transport\u0000${name}`, () => {
      const dedupData = new DedupData();
      // No fsync: a key lost with the journal's tail is found again in the outbox (see DedupData).
      const dedup = storeJournal(shared, "transport", name, dedupData, false, `dedup ${name}`);
      shared.lifecycle.onClose(() => dedup.close());
      const topic = topicOf(shared, `\u0001transport\u0000${name}`, { ...this.#defaults, batchSize: 1 });
      return { topic, dedup, dedupData, groups: new Map(), slowest: Number.POSITIVE_INFINITY, slowestAt: 0 };
    });
  }

  /** Stores the batch; returns each message's offset in the outbox (null for a dropped repeat). */
  async send(channel: string, messages: readonly OutgoingMessage[], dedupWindowMs: number): Promise<SendResult> {
    const state = this.#channel(channel);
    let ids: (string | null)[];
    if (messages.some((m) => m.message.idempotencyKey !== undefined)) {
      ids = await this.#sendDeduplicated(state, messages, dedupWindowMs);
    } else {
      const first = await state.topic.append(messages.map((m) => m.text));
      await state.topic.flush();
      ids = messages.map((_, i) => String(first + i));
    }
    await this.#maybeTrim(state);
    return { ids };
  }

  /**
   * Under the channel's lock: learns the keys of messages stored past the journal's scanned
   * mark (a sender crashed before journalling them), drops repeats, appends and fsyncs the
   * rest with their keys inside, then journals the keys. The message is durable before its
   * key, so a crash can cost a journal entry (found again next time), never a message.
   */
  async #sendDeduplicated(
    state: Channel,
    messages: readonly OutgoingMessage[],
    window: number,
  ): Promise<(string | null)[]> {
    const { topic, dedup, dedupData } = state;
    const ids = await topic.exclusive(async () => {
      await dedup.sync();
      const log = topic.log;
      const now = Date.now();
      const ops: DedupOp[] = [];
      for (let at = Math.max(dedupData.scanned, log.first); at < log.next; ) {
        const page = await log.read(at, SCAN_PAGE);
        if (page.length === 0) break;
        for (const entry of page) {
          const key = decodeStoredMessage(BACKEND, { seq: entry.offset, text: entry.text }).idempotencyKey;
          if (key !== undefined && entry.timestamp + window > now) ops.push({ k: key, e: entry.timestamp + window });
        }
        at = (page.at(-1) as RawEntry).offset + 1;
      }
      for (const op of ops) dedupData.apply(op);
      // The layer already kept one message per key within the batch.
      const seen = new Set<string>();
      const fresh = messages.map(({ message: { idempotencyKey: key } }) => {
        if (key === undefined) return true;
        if (dedupData.seen(key, now)) return false;
        seen.add(key);
        return true;
      });
      const keep = messages.filter((_, i) => fresh[i]);
      const first = log.next;
      await settleWritten(await log.write(keep.map((p, i) => ({ offset: first + i, timestamp: now, text: p.text }))));
      for (const key of seen) ops.push({ k: key, e: now + window });
      ops.push({ n: log.next });
      await dedup.mutate(() => ({ result: undefined, ops }));
      let offset = first;
      return fresh.map((stored) => (stored ? String(offset++) : null));
    });
    topic.wake();
    return ids;
  }

  async #maybeTrim(state: Channel): Promise<void> {
    const log = state.topic.log;
    const end = log.firstSegmentEnd;
    if (end > log.next - this.#tuning.retention) return;
    // Groups move on by themselves (and trim when they ack): look again only now and then.
    if (end > state.slowest && Date.now() - state.slowestAt < TRIM_RECHECK_MS) return;
    await state.topic.exclusive(async () => {
      const meta = await state.topic.log.meta.read();
      state.slowest = slowestGroup(meta);
      state.slowestAt = Date.now();
      await trimOutbox(log, meta, this.#tuning.retention);
    });
  }

  async open(channel: string, group: string | undefined, fromStart: boolean): Promise<ReturnType<typeof fileSource>> {
    const state = this.#channel(channel);
    const topic = state.topic;
    let positions: MessagePositions;
    if (group === undefined) {
      const start = await topic.serial(async () => {
        await topic.refresh();
        return fromStart ? (await topic.log.meta.read()).first : topic.next;
      });
      positions = cursorPositions(topic, start);
    } else {
      let groupState = state.groups.get(group);
      if (groupState === undefined) {
        groupState = GroupState.open(topic, group, fromStart, this.#tuning);
        state.groups.set(group, groupState);
        groupState.catch(() => state.groups.delete(group));
      }
      positions = await (await groupState).join();
    }
    return fileSource(topic, positions);
  }
}
