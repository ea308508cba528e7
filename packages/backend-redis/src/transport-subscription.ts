import { randomUUID } from "node:crypto";
import type { MessageHandler, SubscribeOptions } from "@core/protocols";
import { guard } from "./errors.js";
import type { RawEntry } from "./queue-stream.js";
import { BLOCK_MS, type DedicatedConnection, openDedicated, type RedisShared, run } from "./shared.js";
import { channelKeys, decodeMessage, type ResolvedTransportOptions } from "./transport-input.js";

/** Pending entries of a consumer that unsubscribed, waiting for the group's next subscriber. */
const ORPHANS = "_orphaned";
const BATCH = 100;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
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

/** One subscriber: a loop reading the channel's stream on a dedicated connection. */
export class StreamSubscription {
  readonly #shared: RedisShared;
  readonly #options: ResolvedTransportOptions;
  readonly #stream: string;
  readonly #handler: MessageHandler;
  readonly #group: string | undefined;
  readonly #fromStart: boolean;
  readonly #consumer = `c-${randomUUID()}`;
  readonly #stop = new AbortController();
  #conn: DedicatedConnection | undefined;
  #loop: Promise<void> | undefined;
  #lastId = "0-0";
  #stopping: Promise<void> | undefined;
  #unregister: (() => void) | undefined;

  constructor(
    shared: RedisShared,
    options: ResolvedTransportOptions,
    channel: string,
    handler: MessageHandler,
    subscribe: SubscribeOptions,
  ) {
    this.#shared = shared;
    this.#options = options;
    this.#stream = channelKeys(shared, channel).stream;
    this.#handler = handler;
    this.#group = subscribe.group;
    this.#fromStart = subscribe.fromStart === true;
  }

  /** Fixes the starting position (so messages sent after `subscribe` resolves arrive), then loops. */
  async start(): Promise<void> {
    const client = this.#shared.client;
    await run(this.#shared, "transport.subscribe", async () => {
      if (this.#group === undefined) {
        if (!this.#fromStart) {
          const last = (await client.call("XREVRANGE", this.#stream, "+", "-", "COUNT", 1)) as RawEntry[];
          this.#lastId = last[0]?.[0] ?? "0-0";
        }
      } else {
        await this.#createGroup();
      }
    });
    this.#conn = await openDedicated(this.#shared, "transport.subscribe");
    this.#unregister = this.#shared.lifecycle.onClose(() => this.stop());
    this.#loop = this.#run();
  }

  async #createGroup(): Promise<void> {
    try {
      await this.#shared.client.call(
        "XGROUP",
        "CREATE",
        this.#stream,
        this.#group as string,
        this.#fromStart ? "0" : "$",
        "MKSTREAM",
      );
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("BUSYGROUP")) throw err;
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#unregister?.();
      this.#stop.abort();
      // Ending the connection rejects a pending XREAD[GROUP] BLOCK at once.
      this.#conn?.release();
      await this.#loop;
      if (this.#group !== undefined) await this.#handBack().catch(() => {});
    })();
    return this.#stopping;
  }

  // Messages this consumer read but did not acknowledge go to the group's next subscriber.
  async #handBack(): Promise<void> {
    const client = this.#shared.client;
    const group = this.#group as string;
    for (;;) {
      const pending = (await client.call("XPENDING", this.#stream, group, "-", "+", BATCH, this.#consumer)) as [
        string,
        ...unknown[],
      ][];
      if (pending.length === 0) break;
      const ids = pending.map((p) => p[0]);
      await client.call("XCLAIM", this.#stream, group, ORPHANS, 0, ...ids, "JUSTID");
    }
    await client.call("XGROUP", "DELCONSUMER", this.#stream, group, this.#consumer);
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let nextClaim = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.#group === undefined) {
          await this.#deliverAll(await this.#read(), false);
        } else {
          if (Date.now() >= nextClaim) {
            await this.#deliverAll(await this.#claim(), true);
            nextClaim = Date.now() + Math.min(1000, Math.max(10, this.#options.claimIdleMs / 2));
          }
          await this.#deliverAll(await this.#readGroup(), true);
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof Error && err.message.includes("NOGROUP")) {
          await guard("transport.subscribe", () => this.#createGroup()).catch(() => {});
        }
        // Outages are ridden out: reconnect and resume where the group (or this loop) stands.
        await sleep(Math.min(1000, 20 * 2 ** failures++), signal);
        // A connection that left a read unanswered may be dead without knowing it: replace it.
        const timedOut = err instanceof Error && /Command timed out/i.test(err.message);
        if (this.#conn && (timedOut || this.#conn.client.status === "end") && !signal.aborted) {
          this.#conn.release();
          this.#conn = await openDedicated(this.#shared, "transport.subscribe").catch(() => undefined);
        }
      }
    }
  }

  async #read(): Promise<RawEntry[]> {
    const client = this.#connection();
    const reply = (await client.call(
      "XREAD",
      "COUNT",
      BATCH,
      "BLOCK",
      BLOCK_MS,
      "STREAMS",
      this.#stream,
      this.#lastId,
    )) as [string, RawEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  async #readGroup(): Promise<RawEntry[]> {
    const client = this.#connection();
    const group = this.#group as string;
    const reply = (await client.call(
      "XREADGROUP",
      "GROUP",
      group,
      this.#consumer,
      "COUNT",
      BATCH,
      "BLOCK",
      BLOCK_MS,
      "STREAMS",
      this.#stream,
      ">",
    )) as [string, RawEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  // Takes over what unsubscribed consumers handed back, then what dead ones held too long.
  async #claim(): Promise<RawEntry[]> {
    const client = this.#shared.client;
    const group = this.#group as string;
    const orphans = (await client.call("XPENDING", this.#stream, group, "-", "+", BATCH, ORPHANS)) as [string][];
    let entries: RawEntry[] = [];
    if (orphans.length > 0) {
      const ids = orphans.map((p) => p[0]);
      entries = ((await client.call("XCLAIM", this.#stream, group, this.#consumer, 0, ...ids)) as RawEntry[]).filter(
        (e) => e !== null,
      );
    }
    const [, stale] = (await client.call(
      "XAUTOCLAIM",
      this.#stream,
      group,
      this.#consumer,
      this.#options.claimIdleMs,
      "0-0",
      "COUNT",
      BATCH,
    )) as [string, RawEntry[]];
    return [...entries, ...stale.filter((e) => e !== null)].sort((a, b) => compareIds(a[0], b[0]));
  }

  #connection() {
    if (!this.#conn || this.#conn.client.status === "end") throw new Error("Connection is closed.");
    return this.#conn.client;
  }

  async #deliverAll(entries: RawEntry[], ack: boolean): Promise<void> {
    for (const [id, fields] of entries) {
      if (this.#stop.signal.aborted) return;
      const text = fields[fields.indexOf("m") + 1];
      if (text !== undefined && !(await this.#deliver(text))) return;
      if (ack) await this.#shared.client.call("XACK", this.#stream, this.#group as string, id);
      this.#lastId = id;
    }
  }

  // At-least-once: retry the same message until it succeeds; false if stopped meanwhile.
  async #deliver(text: string): Promise<boolean> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await this.#handler(decodeMessage(text));
        return true;
      } catch {
        await sleep(this.#options.redeliveryDelayMs, signal);
      }
    }
    return false;
  }
}

function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
