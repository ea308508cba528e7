import { randomUUID } from "node:crypto";
import { type StoredMessage, type SubscribeStart, sleepUnlessAborted } from "@core/protocols/kit";
import { guard } from "./errors.js";
import type { RawEntry } from "./queue-stream.js";
import { BLOCK_MS, type DedicatedConnection, openDedicated, type RedisShared, run } from "./shared.js";

/** Pending entries of a consumer that unsubscribed, waiting for the group's next subscriber. */
const ORPHANS = "_orphaned";
const BATCH = 100;

type Deliver = (message: StoredMessage) => Promise<boolean>;

/**
 * One subscriber of a channel's stream: a loop of blocking reads (`XREAD`, or
 * `XREADGROUP` on the Redis consumer group) on a dedicated connection, which also keeps
 * the process alive while the subscription is active. Group members take over what
 * unsubscribed consumers handed back and, after `claimIdleMs`, what crashed ones held.
 * `deliver` is the layer's (it retries a failing handler); an entry is acknowledged once
 * it returns true.
 *
 * @example
 * ```ts
 * const sub = await StreamSubscription.start(shared, 30_000, streamKey, start, deliver, signal);
 * await sub.stopped();
 * ```
 */
export class StreamSubscription {
  readonly #shared: RedisShared;
  readonly #claimIdleMs: number;
  readonly #stream: string;
  readonly #deliver: Deliver;
  readonly #group: string | undefined;
  readonly #fromStart: boolean;
  readonly #consumer = `c-${randomUUID()}`;
  readonly #signal: AbortSignal;
  #conn: DedicatedConnection | undefined;
  #loop: Promise<void> | undefined;
  #lastId = "0-0";
  #stopping: Promise<void> | undefined;

  private constructor(
    shared: RedisShared,
    claimIdleMs: number,
    stream: string,
    start: SubscribeStart,
    deliver: Deliver,
    signal: AbortSignal,
  ) {
    this.#shared = shared;
    this.#claimIdleMs = claimIdleMs;
    this.#stream = stream;
    this.#deliver = deliver;
    this.#group = start.group;
    this.#fromStart = start.fromStart;
    this.#signal = signal;
  }

  /** Fixes the starting position (so messages sent after `subscribe` resolves arrive), then loops. */
  static async start(
    shared: RedisShared,
    claimIdleMs: number,
    stream: string,
    start: SubscribeStart,
    deliver: Deliver,
    signal: AbortSignal,
  ): Promise<StreamSubscription> {
    const sub = new StreamSubscription(shared, claimIdleMs, stream, start, deliver, signal);
    await sub.#start();
    return sub;
  }

  async #start(): Promise<void> {
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
    // Ending the connection rejects a pending XREAD[GROUP] BLOCK at once.
    const conn = this.#conn;
    this.#signal.addEventListener("abort", () => this.#conn?.release(), { once: true });
    if (this.#signal.aborted) conn.release();
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

  /** Resolves once the loop ended (after the signal aborted) and a group member handed back what it held. */
  stopped(): Promise<void> {
    this.#stopping ??= (async () => {
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
    const signal = this.#signal;
    let nextClaim = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.#group === undefined) {
          await this.#deliverAll(await this.#read(), false);
        } else {
          if (Date.now() >= nextClaim) {
            await this.#deliverAll(await this.#claim(), true);
            nextClaim = Date.now() + Math.min(1000, Math.max(10, this.#claimIdleMs / 2));
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
        await sleepUnlessAborted(Math.min(1000, 20 * 2 ** failures++), signal);
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
      this.#claimIdleMs,
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
      if (this.#signal.aborted) return;
      const text = fields[fields.indexOf("m") + 1];
      if (text !== undefined && !(await this.#deliver({ seq: id, text }))) return;
      if (ack) await this.#shared.client.call("XACK", this.#stream, this.#group as string, id);
      this.#lastId = id;
    }
  }
}

function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
