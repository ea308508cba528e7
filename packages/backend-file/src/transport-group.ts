import { randomBytes } from "node:crypto";
import { isAlive } from "./lock.js";
import type { SegmentLog } from "./segment-log.js";
import type { Topic } from "./topic.js";
import { type GroupLease, setOwn, type TopicMeta } from "./topic-meta.js";
import type { MessagePositions } from "./transport-source.js";

/** Lease and trim settings of a channel's groups. */
export interface GroupTuning {
  /** How long a lease lasts without renewal (ms). */
  leaseMs: number;
  /** Least interval between attempts to take a lease another member holds (ms). */
  retryMs: number;
  /** Messages an outbox keeps beyond what its groups still need. */
  retention: number;
}

/**
 * A consumer group of one channel as one backend instance sees it. Across instances (and
 * processes) the group is arbitrated by a lease in the outbox's `meta.json`, taken and
 * renewed under the channel's lock: only the holder hands out messages, so each message
 * goes to one member. The holder renews every `leaseMs / 3` and on every ack; a lease
 * whose holder died (its pid is gone) or that was not renewed for `leaseMs` is taken over
 * by a member elsewhere, which resumes at the stored position (the oldest message not yet
 * handled): at-least-once, messages handled but not yet acknowledged may come again.
 * Within the holding instance, members compete for messages in order.
 *
 * @example
 * ```ts
 * const group = await GroupState.open(topic, "shipping", false, tuning);
 * const source = await group.join();
 * ```
 */
export class GroupState {
  readonly #topic: Topic;
  readonly #name: string;
  readonly #tuning: GroupTuning;
  readonly #owner = `${process.pid}-${randomBytes(6).toString("hex")}`;
  #holding = false;
  #next = 0;
  #stored = 0;
  readonly #pending = new Set<number>();
  #returned: number[] = [];
  #members = 0;
  #lastTry = 0;
  #acquiring: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(topic: Topic, name: string, tuning: GroupTuning) {
    this.#topic = topic;
    this.#name = name;
    this.#tuning = tuning;
  }

  /** Creates the group's stored position if new: the newest (or oldest kept) message. */
  static async open(topic: Topic, name: string, fromStart: boolean, tuning: GroupTuning): Promise<GroupState> {
    await topic.updateMeta((meta) => {
      if (Object.hasOwn(meta.groups, name)) return false;
      setOwn(meta.groups, name, fromStart ? meta.first : topic.log.next);
      return true;
    });
    return new GroupState(topic, name, tuning);
  }

  /** Adds a member; takes the lease at once when it is free. */
  async join(): Promise<MessagePositions> {
    this.#members++;
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#tick().catch(() => {}), Math.max(1, this.#tuning.leaseMs / 3));
      this.#timer.unref();
    }
    try {
      await this.#tryAcquire();
    } catch (err) {
      await this.#leave();
      throw err;
    }
    return {
      take: () => this.#take(),
      ack: async (seq) => {
        if (this.#pending.delete(seq)) await this.#persist();
      },
      release: (seq) => {
        if (!this.#pending.delete(seq)) return;
        this.#returned.push(seq);
        this.#returned.sort((a, b) => a - b);
        this.#topic.wake();
      },
      leave: () => this.#leave(),
    };
  }

  async #take(): Promise<number | undefined> {
    if (!this.#holding) {
      if (Date.now() - this.#lastTry < this.#tuning.retryMs) return undefined;
      await this.#tryAcquire();
      if (!this.#holding) return undefined;
    }
    let seq = this.#returned.shift();
    if (seq === undefined && this.#next < this.#topic.next) seq = this.#next++;
    if (seq !== undefined) this.#pending.add(seq);
    return seq;
  }

  #position(): number {
    return Math.min(this.#next, ...this.#pending, ...this.#returned);
  }

  #heldByOther(lease: GroupLease | undefined, now: number): boolean {
    if (lease === undefined || lease.owner === this.#owner || lease.until <= now) return false;
    return lease.pid === process.pid || isAlive(lease.pid);
  }

  #leaseOf(meta: TopicMeta): GroupLease | undefined {
    return meta.leases !== undefined && Object.hasOwn(meta.leases, this.#name) ? meta.leases[this.#name] : undefined;
  }

  /** Writes `meta` (read under the topic lock) with the group's `position` and `lease` (none: undefined). */
  async #store(meta: TopicMeta, position: number, lease: GroupLease | undefined): Promise<void> {
    setOwn(meta.groups, this.#name, position);
    const leases = meta.leases ?? {};
    if (lease === undefined) Reflect.deleteProperty(leases, this.#name);
    else setOwn(leases, this.#name, lease);
    meta.leases = leases;
    await this.#topic.log.writeMeta(meta);
  }

  #lease(): GroupLease {
    return { owner: this.#owner, pid: process.pid, until: Date.now() + this.#tuning.leaseMs };
  }

  #lose(): void {
    this.#holding = false;
    this.#pending.clear();
    this.#returned = [];
  }

  #tryAcquire(): Promise<void> {
    this.#acquiring ??= (async () => {
      this.#lastTry = Date.now();
      // A look without the lock first: a held lease costs waiting members no lock traffic.
      if (this.#heldByOther(this.#leaseOf(await this.#topic.log.meta.read()), Date.now())) return;
      await this.#topic.exclusive(async () => {
        if (this.#holding || this.#members === 0) return;
        const meta = await this.#topic.log.meta.read();
        if (this.#heldByOther(this.#leaseOf(meta), Date.now())) return;
        const position = Object.hasOwn(meta.groups, this.#name)
          ? (meta.groups[this.#name] as number)
          : this.#topic.log.next;
        await this.#store(meta, position, this.#lease());
        this.#holding = true;
        this.#next = position;
        this.#stored = position;
        this.#pending.clear();
        this.#returned = [];
      });
      if (this.#holding) this.#topic.wake();
    })().finally(() => {
      this.#acquiring = undefined;
    });
    return this.#acquiring;
  }

  async #tick(): Promise<void> {
    if (this.#holding) await this.#persist(true);
    else await this.#tryAcquire();
  }

  /** Stores the position and renews the lease, if this instance still holds it. */
  async #persist(renew = false): Promise<void> {
    if (!renew && this.#position() === this.#stored) return;
    await this.#topic.exclusive(async () => {
      if (!this.#holding) return;
      const meta = await this.#topic.log.meta.read();
      if (this.#leaseOf(meta)?.owner !== this.#owner) {
        this.#lose();
        return;
      }
      const position = this.#position();
      await this.#store(meta, position, this.#lease());
      this.#stored = position;
      await trimOutbox(this.#topic.log, meta, this.#tuning.retention);
    });
  }

  async #leave(): Promise<void> {
    this.#members--;
    if (this.#members > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#acquiring?.catch(() => {});
    if (!this.#holding) return;
    await this.#topic.exclusive(async () => {
      if (this.#members > 0 || !this.#holding) return;
      const meta = await this.#topic.log.meta.read();
      if (this.#leaseOf(meta)?.owner === this.#owner) {
        await this.#store(meta, this.#position(), undefined);
      }
      this.#lose();
    });
  }
}

/** The smallest stored group position of `meta` (Infinity without groups). */
export function slowestGroup(meta: TopicMeta): number {
  let slowest = Number.POSITIVE_INFINITY;
  for (const position of Object.values(meta.groups)) slowest = Math.min(slowest, position);
  return slowest;
}

/**
 * Drops the outbox's whole segments that every group has passed and that lie before the
 * last `retention` messages. The caller holds the topic lock and passes the meta it just
 * read; `meta.first` moves to the first kept segment (written before the files go, so a
 * crash in between only leaves files nobody reads). Returns whether anything was dropped.
 */
export async function trimOutbox(log: SegmentLog, meta: TopicMeta, retention: number): Promise<boolean> {
  const target = Math.min(log.next - retention, slowestGroup(meta));
  if (log.firstSegmentEnd > target) return false;
  const first = Math.max(meta.first, log.keptFrom(target));
  if (first <= log.first) return false;
  meta.first = first;
  await log.writeMeta(meta);
  await log.dropBelow(first);
  return true;
}
