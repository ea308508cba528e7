import { join } from "node:path";
import {
  encodeMessageBody,
  type Message,
  type MessageHandler,
  resolveTransportOptions,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportOptions,
  TransportSubscriptions,
  validateSend,
  validateSubscribe,
} from "@core/protocols";
import { BACKEND } from "./errors.js";
import { Journal } from "./journal.js";
import { fileName } from "./names.js";
import { type FileQueueDefaults, topicOf } from "./queue-driver.js";
import type { RawEntry } from "./queue-segment.js";
import { type FileShared, storeState } from "./shared.js";
import type { Topic } from "./topic.js";
import { GroupState, type GroupTuning } from "./transport-group.js";
import { DedupData, type DedupOp, slowestGroup, trimOutbox } from "./transport-outbox.js";
import { decodeMessage, FileSubscription, type MessageSource } from "./transport-subscription.js";

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

/** An encoded message (the whole message, stored as one log entry) and its idempotency key. */
interface Prepared {
  text: string;
  key?: string;
}

function prepare(message: Message, index: number): Prepared {
  const text = encodeMessageBody(BACKEND, message, index);
  return message.idempotencyKey === undefined ? { text } : { text, key: message.idempotencyKey };
}

/**
 * The file backend's durable transport. Each channel is an outbox in the queue's segment
 * format (`queue/<sha256("\u0001transport\0" + channel)>/`), written and fsynced by `send`
 * before it resolves; subscribers in any process read it (woken by `fs.watch`, with a
 * poll fallback). A group's position (oldest message not yet handled) and its lease are
 * stored in the outbox's `meta.json`: one backend instance at a time delivers a group's
 * messages, and another takes over when it leaves, dies or stops renewing (see
 * {@link GroupState}). At-least-once: a handler that throws gets the message again after
 * `redeliveryDelayMs` (default 100) and the subscription waits for it. Outboxes are
 * trimmed by whole segments past every group and the retention. Idempotency keys travel
 * inside the stored messages and are journalled after them for `dedupWindowMs` (default
 * 24 h), all under the outbox lock, so repeats are dropped across processes and a crash
 * never loses a message.
 *
 * @example
 * ```ts
 * const bus = createFileTransport(shared, defaults, { groupLeaseMs: 10_000, outboxRetention: 1000 }, { redeliveryDelayMs: 50 });
 * await bus.send("orders", [{ id: "1", payload: 1, headers: {}, publishedAt: Date.now() }]);
 * ```
 */
export function createFileTransport(
  shared: FileShared,
  defaults: FileQueueDefaults,
  transportDefaults: FileTransportDefaults,
  options: TransportOptions = {},
): Transport {
  const { redeliveryDelayMs, dedupWindowMs } = resolveTransportOptions(BACKEND, options);
  return new FileTransport(shared, defaults, transportDefaults, redeliveryDelayMs, dedupWindowMs);
}

class FileTransport implements Transport {
  readonly name = BACKEND;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly #shared: FileShared;
  readonly #defaults: FileQueueDefaults;
  readonly #tuning: GroupTuning;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #dedupWindowMs: number;
  readonly #subscriptions: TransportSubscriptions;

  constructor(
    shared: FileShared,
    defaults: FileQueueDefaults,
    transportDefaults: FileTransportDefaults,
    redeliveryDelayMs: number | undefined,
    dedupWindowMs: number,
  ) {
    this.#shared = shared;
    this.#defaults = defaults;
    this.#tuning = {
      leaseMs: transportDefaults.groupLeaseMs,
      retryMs: defaults.pollIntervalMs,
      retention: transportDefaults.outboxRetention,
    };
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#dedupWindowMs = dedupWindowMs;
    this.delivery = redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
    this.#subscriptions = new TransportSubscriptions(BACKEND, shared.lifecycle);
  }

  #assertOpen(): void {
    this.#subscriptions.assertOpen();
  }

  #channel(name: string): Channel {
    const shared = this.#shared;
    return storeState<Channel>(shared, `transport\u0000${name}`, () => {
      const dedupData = new DedupData();
      const dir = join(shared.directory, "transport", fileName(name));
      // No fsync: a key lost with the journal's tail is found again in the outbox (see DedupData).
      const dedup = new Journal<DedupOp>(dir, dedupData, {
        fsync: false,
        lock: shared.lock,
        what: `dedup ${name}`,
        onDamage: shared.onDamage,
      });
      shared.lifecycle.onClose(() => dedup.close());
      const topic = topicOf(shared, `\u0001transport\u0000${name}`, { ...this.#defaults, batchSize: 1 });
      return { topic, dedup, dedupData, groups: new Map(), slowest: Number.POSITIVE_INFINITY, slowestAt: 0 };
    });
  }

  send(channel: string, messages: readonly Message[]): Promise<void> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      const prepared = validateSend(BACKEND, channel, messages, prepare);
      if (prepared.length === 0) return;
      const state = this.#channel(channel);
      if (prepared.some((p) => p.key !== undefined)) await this.#sendDeduplicated(state, prepared);
      else {
        await state.topic.append(prepared.map((p) => p.text));
        await state.topic.flush();
      }
      await this.#maybeTrim(state);
    });
  }

  /**
   * Under the channel's lock: learns the keys of messages stored past the journal's scanned
   * mark (a sender crashed before journalling them), drops repeats, appends and fsyncs the
   * rest with their keys inside, then journals the keys. The message is durable before its
   * key, so a crash can cost a journal entry (found again next time), never a message.
   */
  async #sendDeduplicated(state: Channel, prepared: Prepared[]): Promise<void> {
    const { topic, dedup, dedupData } = state;
    const window = this.#dedupWindowMs;
    await topic.exclusive(async () => {
      await dedup.sync();
      const log = topic.log;
      const now = Date.now();
      const ops: DedupOp[] = [];
      for (let at = Math.max(dedupData.scanned, log.first); at < log.next; ) {
        const page = await log.read(at, SCAN_PAGE);
        if (page.length === 0) break;
        for (const entry of page) {
          const key = decodeMessage(entry.text).idempotencyKey;
          if (key !== undefined && entry.timestamp + window > now) ops.push({ k: key, e: entry.timestamp + window });
        }
        at = (page.at(-1) as RawEntry).offset + 1;
      }
      for (const op of ops) dedupData.apply(op);
      const seen = new Set<string>();
      const keep = prepared.filter((p) => {
        if (p.key === undefined) return true;
        if (seen.has(p.key) || dedupData.seen(p.key, now)) return false;
        seen.add(p.key);
        return true;
      });
      const first = log.next;
      await log.append(
        keep.map((p, i) => ({ offset: first + i, timestamp: now, text: p.text })),
        true,
      );
      for (const key of seen) ops.push({ k: key, e: now + window });
      ops.push({ n: log.next });
      await dedup.mutate(() => ({ result: undefined, ops }));
    });
    topic.wake();
  }

  async #maybeTrim(state: Channel): Promise<void> {
    const log = state.topic.log;
    const end = log.firstSegmentEnd;
    if (end > log.next - this.#tuning.retention) return;
    // Groups move on by themselves (and trim when they ack): look again only now and then.
    if (end > state.slowest && Date.now() - state.slowestAt < TRIM_RECHECK_MS) return;
    await state.topic.exclusive(async () => {
      const meta = await state.topic.readMeta();
      state.slowest = slowestGroup(meta);
      state.slowestAt = Date.now();
      await trimOutbox(log, meta, this.#tuning.retention);
    });
  }

  subscribe(channel: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      const { group, fromStart } = validateSubscribe(BACKEND, channel, handler, options);
      const state = this.#channel(channel);
      const topic = state.topic;
      let source: MessageSource;
      if (group === undefined) {
        const start = await topic.serial(async () => {
          await topic.refresh();
          return fromStart ? (await topic.readMeta()).first : topic.next;
        });
        source = cursorSource(topic, start);
      } else {
        let groupState = state.groups.get(group);
        if (groupState === undefined) {
          groupState = GroupState.open(topic, group, fromStart, this.#tuning);
          state.groups.set(group, groupState);
          groupState.catch(() => state.groups.delete(group));
        }
        source = await (await groupState).join();
      }
      this.#assertOpen();
      const subscription = new FileSubscription(
        topic,
        source,
        handler,
        this.#redeliveryDelayMs,
        this.#shared.lifecycle.signal,
      );
      return this.#subscriptions.track(subscription);
    });
  }

  close(): Promise<void> {
    return this.#subscriptions.close();
  }
}

function cursorSource(topic: Topic, start: number): MessageSource {
  let position = start;
  return {
    take: async () => {
      // Messages trimmed from the outbox before this subscriber got to them are gone.
      position = Math.max(position, topic.log.first);
      return position < topic.next ? position : undefined;
    },
    ack: async (seq) => {
      position = seq + 1;
    },
    release: () => {},
    leave: async () => {},
  };
}
