import { join } from "node:path";
import {
  assertKey,
  assertName,
  assertPlainObject,
  BackendError,
  closedError,
  defaultCodec,
  describeValue,
  invalidArgument,
  type Message,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportOptions,
} from "@core/protocols";
import { CacheData, type CacheOp, setOp } from "./cache-data.js";
import { BACKEND } from "./errors.js";
import { Journal } from "./journal.js";
import { fileName } from "./names.js";
import { type FileQueueDefaults, topicOf } from "./queue.js";
import { type FileShared, storeState } from "./shared.js";
import type { Topic } from "./topic.js";
import { GroupState } from "./transport-group.js";
import { FileSubscription, type MessageSource } from "./transport-subscription.js";

const DAY_MS = 24 * 60 * 60 * 1000;

function nonNegative(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(
      BACKEND,
      `${what} must be a non-negative finite number of milliseconds, got ${describeValue(value)}`,
    );
  }
  return value;
}

interface Prepared {
  text: string;
  key?: string;
}

function prepare(message: unknown, index: number): Prepared {
  const where = `messages[${index}]`;
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw invalidArgument(BACKEND, `${where} must be a message object, got ${describeValue(message)}`);
  }
  const { id, payload, headers, publishedAt, idempotencyKey } = message as Partial<Message>;
  if (typeof id !== "string" || id.length === 0)
    throw invalidArgument(BACKEND, `${where}.id must be a non-empty string`);
  if (typeof publishedAt !== "number" || !Number.isFinite(publishedAt)) {
    throw invalidArgument(BACKEND, `${where}.publishedAt must be a finite number of milliseconds`);
  }
  assertPlainObject(BACKEND, headers, `${where}.headers`);
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw invalidArgument(
        BACKEND,
        `${where}.headers[${JSON.stringify(key)}] must be a string, got ${describeValue(value)}`,
      );
    }
  }
  if (idempotencyKey !== undefined) assertKey(BACKEND, idempotencyKey);
  const stored: Message = { id, payload, headers: { ...headers }, publishedAt };
  if (idempotencyKey !== undefined) stored.idempotencyKey = idempotencyKey;
  try {
    return { text: defaultCodec.encode(stored), ...(idempotencyKey === undefined ? {} : { key: idempotencyKey }) };
  } catch (cause) {
    throw new BackendError("INVALID_ARGUMENT", `${where}.payload cannot be encoded: ${(cause as Error).message}`, {
      backend: BACKEND,
      cause,
    });
  }
}

interface Channel {
  topic: Topic;
  dedup: Journal<CacheOp>;
  dedupData: CacheData;
  groups: Map<string, Promise<GroupState>>;
}

/**
 * The file backend's durable transport. Each channel is an outbox in the queue's segment
 * format (`queue/<sha256("\u0001transport\0" + channel)>/`), written and fsynced by `send`
 * before it resolves; subscribers in any process read it (woken by `fs.watch`, with a
 * poll fallback). A group's position (oldest message not yet handled) is stored in the
 * outbox's `meta.json`, so groups resume after a restart. At-least-once: a handler that
 * throws gets the message again after `redeliveryDelayMs` (default 100) and the
 * subscription waits for it. Idempotency keys are kept in a journal per channel for
 * `dedupWindowMs` (default 24 h) and checked under its lock, so repeats are dropped
 * across processes too.
 *
 * @example
 * ```ts
 * const bus = createFileTransport(shared, defaults, { redeliveryDelayMs: 50 });
 * await bus.send("orders", [{ id: "1", payload: 1, headers: {}, publishedAt: Date.now() }]);
 * ```
 */
export function createFileTransport(
  shared: FileShared,
  defaults: FileQueueDefaults,
  options: TransportOptions = {},
): Transport {
  assertPlainObject(BACKEND, options, "transport options");
  const { mode = "durable" } = options;
  if (mode !== "durable" && mode !== "ephemeral") {
    throw invalidArgument(BACKEND, `mode must be "durable" or "ephemeral", got ${describeValue(mode)}`);
  }
  const dedupWindowMs = nonNegative(options.dedupWindowMs, "dedupWindowMs", DAY_MS);
  const redeliveryDelayMs = nonNegative(options.redeliveryDelayMs, "redeliveryDelayMs", 100);
  return new FileTransport(shared, defaults, mode === "durable" ? redeliveryDelayMs : undefined, dedupWindowMs);
}

class FileTransport implements Transport {
  readonly name = BACKEND;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly #shared: FileShared;
  readonly #defaults: FileQueueDefaults;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #dedupWindowMs: number;
  readonly #subscriptions = new Set<FileSubscription>();
  readonly #unregister: () => void;
  #closing: Promise<void> | undefined;

  constructor(
    shared: FileShared,
    defaults: FileQueueDefaults,
    redeliveryDelayMs: number | undefined,
    dedupWindowMs: number,
  ) {
    this.#shared = shared;
    this.#defaults = defaults;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#dedupWindowMs = dedupWindowMs;
    this.delivery = redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
    this.#unregister = shared.lifecycle.onClose(() => this.close());
  }

  #assertOpen(): void {
    this.#shared.lifecycle.assertOpen();
    if (this.#closing) throw closedError(BACKEND);
  }

  #channel(name: string): Channel {
    const shared = this.#shared;
    return storeState<Channel>(shared, `transport\u0000${name}`, () => {
      const dedupData = new CacheData();
      const dir = join(shared.directory, "transport", fileName(name));
      const dedup = new Journal<CacheOp>(dir, dedupData, { fsync: true, lock: shared.lock, what: `dedup ${name}` });
      shared.lifecycle.onClose(() => dedup.close());
      const topic = topicOf(shared, `\u0001transport\u0000${name}`, { ...this.#defaults, batchSize: 1 });
      return { topic, dedup, dedupData, groups: new Map() };
    });
  }

  send(channel: string, messages: readonly Message[]): Promise<void> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      assertName(BACKEND, channel, "channel");
      if (!Array.isArray(messages))
        throw invalidArgument(BACKEND, `messages must be an array, got ${describeValue(messages)}`);
      let prepared = messages.map(prepare);
      if (prepared.length === 0) return;
      const state = this.#channel(channel);
      if (prepared.some((p) => p.key !== undefined)) {
        prepared = await state.dedup.mutate(() => {
          const now = Date.now();
          const seen = new Set<string>();
          const keep = prepared.filter((p) => {
            if (p.key === undefined) return true;
            if (seen.has(p.key) || state.dedupData.live(p.key, now) !== undefined) return false;
            seen.add(p.key);
            return true;
          });
          const ops: CacheOp[] = [...state.dedupData.expiredOps()];
          for (const key of seen) ops.push(setOp(key, "1", now + this.#dedupWindowMs));
          return { result: keep, ops };
        });
      }
      if (prepared.length === 0) return;
      await state.topic.append(prepared.map((p) => p.text));
      await state.topic.flush();
    });
  }

  subscribe(channel: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      assertName(BACKEND, channel, "channel");
      if (typeof handler !== "function") throw invalidArgument(BACKEND, "handler must be a function");
      assertPlainObject(BACKEND, options, "subscribe options");
      const { group, fromStart = false } = options;
      if (group !== undefined) assertName(BACKEND, group, "group");
      if (typeof fromStart !== "boolean") throw invalidArgument(BACKEND, "fromStart must be a boolean");
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
          groupState = GroupState.open(topic, group, fromStart);
          state.groups.set(group, groupState);
          groupState.catch(() => state.groups.delete(group));
        }
        source = (await groupState).source();
      }
      this.#assertOpen();
      const subscription = new FileSubscription(
        topic,
        source,
        handler,
        this.#redeliveryDelayMs,
        this.#shared.lifecycle.signal,
      );
      this.#subscriptions.add(subscription);
      return {
        unsubscribe: async () => {
          await subscription.unsubscribe();
          this.#subscriptions.delete(subscription);
        },
      };
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unregister();
      await Promise.all([...this.#subscriptions].map((s) => s.unsubscribe()));
      this.#subscriptions.clear();
    })();
    return this.#closing;
  }
}

function cursorSource(topic: Topic, start: number): MessageSource {
  let position = start;
  return {
    take: () => (position < topic.next ? position : undefined),
    ack: async (seq) => {
      position = seq + 1;
    },
    release: () => {},
  };
}
