import { randomUUID } from "node:crypto";
import { BackendError } from "../../errors.js";
import type { GroupEntry, QueueEntry } from "../../queue.js";
import {
  commitClaim,
  expiredClaim,
  findClaim,
  formatGroupState,
  type GroupState,
  nextExpiry,
  parseGroupState,
  releaseClaim,
} from "./group-state.js";
import type { DecodeStored, QueueLogDriver } from "./queue-driver.js";

/** Compare-and-set rounds before a busy group gives up (members only race on claims). */
const MAX_ROUNDS = 1000;

/** The group-state primitives of a driver that has them. */
export type GroupLog = QueueLogDriver & Required<Pick<QueueLogDriver, "groupState" | "swapGroupState">>;

/**
 * True when the driver stores group claim records (`groupState` + `swapGroupState`).
 *
 * @example
 * ```ts
 * if (!hasGroupState(log)) throw notSupported(backend, "group streams");
 * ```
 */
export function hasGroupState(log: QueueLogDriver): log is GroupLog {
  return typeof log.groupState === "function" && typeof log.swapGroupState === "function";
}

/**
 * Reads a group's state: the stored record, or — for a group that never streamed — one
 * starting at its plain commit (`commit(group, n)` before the first stream).
 *
 * @example
 * ```ts
 * const { text, state } = await loadGroupState("memory", log, "mailer");
 * ```
 */
export async function loadGroupState(
  backend: string,
  log: GroupLog,
  group: string,
): Promise<{ text: string | undefined; state: GroupState }> {
  const text = await log.groupState(group);
  if (text !== undefined) return { text, state: parseGroupState(backend, text) };
  return { text, state: { next: await log.committed(group), claims: [] } };
}

/** What {@link GroupMember.claim} found: a batch, or when to look again. */
export type ClaimResult<V> =
  | { batch: ClaimedBatch<V> }
  | { batch: undefined; cursor: number; wakeAt: number | undefined };

/**
 * One member of a consumer group on one log: claims batches with a lease, commits and
 * releases them, each as a compare-and-set of the group's record (so members in any
 * process never hold the same entry while their leases last).
 *
 * @example
 * ```ts
 * const member = new GroupMember("memory", log, "mailer", decode, 30_000);
 * const found = await member.claim(16);
 * ```
 */
export class GroupMember<V> {
  readonly id = randomUUID();
  readonly backend: string;
  readonly #log: GroupLog;
  readonly #group: string;
  readonly #decode: DecodeStored<V>;
  readonly #leaseMs: number;

  constructor(backend: string, log: GroupLog, group: string, decode: DecodeStored<V>, leaseMs: number) {
    this.backend = backend;
    this.#log = log;
    this.#group = group;
    this.#decode = decode;
    this.#leaseMs = leaseMs;
  }

  /** Takes a claim whose lease ended (redelivery) or else up to `limit` new entries. */
  async claim(limit: number): Promise<ClaimResult<V>> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { text, state } = await loadGroupState(this.backend, this.#log, this.#group);
      const now = Date.now();
      const stale = expiredClaim(state, now);
      let from: number;
      let to: number;
      let entries: QueueEntry<V>[];
      if (stale !== undefined) {
        from = stale.from;
        entries = await this.#read(from, Math.min(limit, stale.to - from), stale.to);
        // A claim may now lie below the first kept offset (trimmed): drop it.
        if (entries.length === 0) to = stale.to;
        else to = Math.min(stale.to, (entries[entries.length - 1] as QueueEntry<V>).offset + 1);
        // The rest of a split claim stays released for the next member.
        if (to < stale.to) stale.from = to;
        else state.claims.splice(state.claims.indexOf(stale), 1);
      } else {
        from = state.next;
        entries = await this.#read(from, limit, Number.POSITIVE_INFINITY);
        if (entries.length === 0) return { batch: undefined, cursor: from, wakeAt: nextExpiry(state) };
        to = (entries[entries.length - 1] as QueueEntry<V>).offset + 1;
        state.next = to;
      }
      if (entries.length > 0) state.claims.push({ from, to, until: now + this.#leaseMs, member: this.id });
      if (!(await this.#log.swapGroupState(this.#group, text, formatGroupState(state)))) continue;
      if (entries.length === 0) continue;
      return { batch: new ClaimedBatch(this, from, to, entries) };
    }
    throw this.#busy();
  }

  /**
   * Commits the member's claim ending at `to` up to `upTo`. A claim that is gone was
   * committed already or handed on after its lease ended: `strict` says so with CONFLICT.
   */
  async commit(to: number, upTo: number, strict: boolean): Promise<void> {
    await this.#change(to, strict, (state, claim) => commitClaim(state, claim, upTo));
  }

  /** Commits below `from` and hands the rest of the claim ending at `to` back to the group. */
  async release(to: number, from: number): Promise<void> {
    await this.#change(to, false, (state, claim) => releaseClaim(state, claim, from));
  }

  async #change(
    to: number,
    strict: boolean,
    apply: (state: GroupState, claim: NonNullable<ReturnType<typeof findClaim>>) => void,
  ): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { text, state } = await loadGroupState(this.backend, this.#log, this.#group);
      const claim = findClaim(state, this.id, to);
      if (claim === undefined) {
        if (!strict) return;
        throw new BackendError(
          "CONFLICT",
          `the lease on entries before offset ${to} of group ${JSON.stringify(this.#group)} ended before the commit: they were redelivered`,
          { backend: this.backend },
        );
      }
      apply(state, claim);
      if (await this.#log.swapGroupState(this.#group, text, formatGroupState(state))) return;
    }
    throw this.#busy();
  }

  async #read(from: number, limit: number, end: number): Promise<QueueEntry<V>[]> {
    const entries = await this.#log.read(from, limit, this.#decode);
    let keep = entries.length;
    while (keep > 0 && (entries[keep - 1] as QueueEntry<V>).offset >= end) keep--;
    return keep === entries.length ? entries : entries.slice(0, keep);
  }

  #busy(): BackendError {
    return new BackendError("CONFLICT", `group ${JSON.stringify(this.#group)} stayed too busy to claim or commit`, {
      backend: this.backend,
    });
  }
}

/**
 * The entries of one claim, as {@link GroupEntry}s whose `commit()` commits through them.
 *
 * @example
 * ```ts
 * for (const entry of batch.entries) await handle(entry);
 * await batch.commitThrough(batch.to, false);
 * ```
 */
export class ClaimedBatch<V> {
  readonly from: number;
  readonly to: number;
  readonly entries: GroupEntry<V>[];
  /** Everything below it is committed by this member. */
  committedTo: number;
  readonly #member: GroupMember<V>;

  constructor(member: GroupMember<V>, from: number, to: number, entries: readonly QueueEntry<V>[]) {
    this.#member = member;
    this.from = from;
    this.to = to;
    this.committedTo = from;
    this.entries = entries.map((entry) => new ClaimedEntry(entry, this));
  }

  /** Commits up to `upTo` (exclusive); a no-op below what is committed already. */
  async commitThrough(upTo: number, strict: boolean): Promise<void> {
    if (upTo <= this.committedTo) return;
    await this.#member.commit(this.to, upTo, strict);
    if (upTo > this.committedTo) this.committedTo = upTo;
  }

  /** Commits below `firstUnhandled` and hands the rest on (the member stopped). */
  async release(firstUnhandled: number): Promise<void> {
    if (firstUnhandled >= this.to) return this.commitThrough(this.to, false);
    await this.#member.release(this.to, Math.max(firstUnhandled, this.committedTo));
    this.committedTo = this.to;
  }
}

class ClaimedEntry<V> implements GroupEntry<V> {
  readonly offset: number;
  readonly value: V;
  readonly timestamp: number;
  readonly #batch: ClaimedBatch<V>;

  constructor(entry: QueueEntry<V>, batch: ClaimedBatch<V>) {
    this.offset = entry.offset;
    this.value = entry.value;
    this.timestamp = entry.timestamp;
    this.#batch = batch;
  }

  commit(): Promise<void> {
    return this.#batch.commitThrough(this.offset + 1, true);
  }
}
