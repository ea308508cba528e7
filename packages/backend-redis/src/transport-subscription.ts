import { randomUUID } from "node:crypto";
import { type StoredMessage, type SubscribeStart, sleepUnlessAborted } from "@core/protocols/kit";
import { guard } from "./errors.js";
import type { DedicatedConnection, RawEntry, RedisShared } from "./shared.js";
import { openDedicated, readBlocking, run } from "./shared.js";

/** Pending entries of a consumer that unsubscribed, waiting for the group's next subscriber. */
const ORPHANS = "_orphaned";
const BATCH = 100;

/** What one subscription reads and where it hands entries. */
interface Plan {
  readonly shared: RedisShared;
  readonly claimIdleMs: number;
  readonly stream: string;
  readonly start: SubscribeStart;
  readonly deliver: (message: StoredMessage) => Promise<boolean>;
  readonly signal: AbortSignal;
}

/**
 * One subscriber of a channel's stream: a loop of blocking reads (`XREAD`, or
 * `XREADGROUP` on the Redis consumer group) on a dedicated connection, which also keeps
 * the process alive while the subscription is active. Group members take over what
 * unsubscribed consumers handed back and, after `claimIdleMs`, what crashed ones held.
 * `deliver` is the layer's (it retries a failing handler); an entry is acknowledged once
 * it returns true.
 */
export class StreamSubscription {
  readonly #p: Plan;
  readonly #group: string | undefined;
  readonly #consumer = `c-${randomUUID()}`;
  #conn: DedicatedConnection | undefined;
  #loop: Promise<void> | undefined;
  #lastId = "0-0";
  #stopping: Promise<void> | undefined;

  private constructor(plan: Plan) {
    this.#p = plan;
    this.#group = plan.start.group;
  }

  /** Fixes the starting position (so messages sent after `subscribe` resolves arrive), then loops. */
  static async start(plan: Plan): Promise<StreamSubscription> {
    const sub = new StreamSubscription(plan);
    const { shared, stream, start, signal } = plan;
    await run(shared, "transport.subscribe", async () => {
      if (start.group !== undefined) await sub.#createGroup();
      else if (!start.fromStart) {
        const last = (await shared.client.call("XREVRANGE", stream, "+", "-", "COUNT", 1)) as RawEntry[];
        sub.#lastId = last[0]?.[0] ?? "0-0";
      }
    });
    const conn = (sub.#conn = await openDedicated(shared, "transport.subscribe"));
    // Ending the connection rejects a pending XREAD[GROUP] BLOCK at once.
    signal.addEventListener("abort", () => sub.#conn?.release(), { once: true });
    if (signal.aborted) conn.release();
    sub.#loop = sub.#run();
    return sub;
  }

  async #createGroup(): Promise<void> {
    const { shared, stream, start } = this.#p;
    try {
      await shared.client.call("XGROUP", "CREATE", stream, start.group!, start.fromStart ? "0" : "$", "MKSTREAM");
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
    const { shared, stream } = this.#p;
    const group = this.#group!;
    for (;;) {
      const pending = (await shared.client.call("XPENDING", stream, group, "-", "+", BATCH, this.#consumer)) as [
        string,
      ][];
      if (pending.length === 0) break;
      await shared.client.call("XCLAIM", stream, group, ORPHANS, 0, ...pending.map((p) => p[0]), "JUSTID");
    }
    await shared.client.call("XGROUP", "DELCONSUMER", stream, group, this.#consumer);
  }

  async #run(): Promise<void> {
    const { shared, signal, stream, claimIdleMs } = this.#p;
    const group = this.#group;
    let nextClaim = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (group !== undefined && Date.now() >= nextClaim) {
          await this.#deliverAll(await this.#claim(group));
          nextClaim = Date.now() + Math.min(1000, Math.max(10, claimIdleMs / 2));
        }
        const client = this.#conn?.client;
        if (!client || client.status === "end") throw new Error("Connection is closed.");
        const entries =
          group === undefined
            ? await readBlocking(client, ["XREAD"], BATCH, stream, this.#lastId)
            : await readBlocking(client, ["XREADGROUP", "GROUP", group, this.#consumer], BATCH, stream, ">");
        await this.#deliverAll(entries);
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
          this.#conn = await openDedicated(shared, "transport.subscribe").catch(() => undefined);
        }
      }
    }
  }

  // Takes over what unsubscribed consumers handed back, then what dead ones held too long.
  async #claim(group: string): Promise<RawEntry[]> {
    const { shared, stream, claimIdleMs } = this.#p;
    const client = shared.client;
    const orphans = (await client.call("XPENDING", stream, group, "-", "+", BATCH, ORPHANS)) as [string][];
    const entries =
      orphans.length === 0
        ? []
        : ((await client.call("XCLAIM", stream, group, this.#consumer, 0, ...orphans.map((p) => p[0]))) as RawEntry[]);
    const autoclaim = ["XAUTOCLAIM", stream, group, this.#consumer, claimIdleMs, "0-0", "COUNT", BATCH] as const;
    const [, stale] = (await client.call(...autoclaim)) as [string, RawEntry[]];
    return [...entries, ...stale].filter((e) => e !== null).sort((a, b) => compareIds(a[0], b[0]));
  }

  async #deliverAll(entries: RawEntry[]): Promise<void> {
    const { shared, signal, stream, deliver } = this.#p;
    for (const [id, fields] of entries) {
      if (signal.aborted) return;
      const text = fields[fields.indexOf("m") + 1];
      if (text !== undefined && !(await deliver({ seq: id, text }))) return;
      if (this.#group !== undefined) await shared.client.call("XACK", stream, this.#group, id);
      this.#lastId = id;
    }
  }
}

function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
