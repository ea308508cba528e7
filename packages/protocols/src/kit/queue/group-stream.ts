import { BackendError } from "../../errors.js";
import type { GroupEntry } from "../../queue.js";
import { abortableSleep } from "./abortable-sleep.js";
import { pollingWatch } from "./blocking-stream.js";
import { type ClaimedBatch, type ClaimResult, type GroupLog, GroupMember } from "./group-member.js";
import type { DecodeStored, QueueWatch } from "./queue-driver.js";

/** Defaults of a group stream. */
export const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_BATCH_SIZE = 16;
/** A waiting member looks again at least this often: a `commit(group, n)` elsewhere may rewind the group. */
const MAX_WAIT_MS = 1000;
/** Backoff of a blocking member riding out an outage (ms). */
const RETRY_MS = [20, 50, 100, 200, 500, 1000];

/** What {@link streamGroup} reads and how. */
export interface GroupPlan<V> {
  backend: string;
  log: GroupLog;
  decode: DecodeStored<V>;
  group: string;
  /** Aborted by the caller's signal or the backend's close. */
  stop: AbortSignal;
  /** Aborted when the backend closes: nothing more can be written then. */
  closed: AbortSignal;
  limit: number;
  block: boolean;
  autoCommit?: boolean | undefined;
  leaseMs?: number | undefined;
  batchSize?: number | undefined;
}

/**
 * The group stream loop every backend shares: claims a batch (an expired claim first — a
 * member that crashed or stalled — else new entries), yields it, and with `autoCommit`
 * commits it once the loop asks for the entry after its last one. When the consumer stops
 * early (`break`, a throw, `signal`) the entries it finished are committed (autoCommit)
 * and the rest are handed back to the group at once; if that fails, or the process dies,
 * the lease ends and they are redelivered. With `block` it waits for new entries or the
 * next lease to end.
 *
 * @example
 * ```ts
 * for await (const e of streamGroup({ backend, log, decode, group: "g", stop, closed, limit: Infinity, block: true })) {
 *   await handle(e.value);
 * }
 * ```
 */
export async function* streamGroup<V>(plan: GroupPlan<V>): AsyncGenerator<GroupEntry<V>> {
  const { log, stop, closed } = plan;
  if (stop.aborted) return;
  const autoCommit = plan.autoCommit ?? true;
  const batchSize = plan.batchSize ?? DEFAULT_BATCH_SIZE;
  const member = new GroupMember<V>(plan.backend, log, plan.group, plan.decode, plan.leaseMs ?? DEFAULT_LEASE_MS);
  const watch = plan.block ? (log.watch?.<V>() ?? pollingWatch<V>()) : undefined;
  let remaining = plan.limit;
  let batch: ClaimedBatch<V> | undefined;
  // The first entry of `batch` the consumer has not finished with.
  let unhandled = 0;
  let failures = 0;
  try {
    if (watch?.ready) await watch.ready();
    while (remaining > 0 && !stop.aborted) {
      let found: ClaimResult<V>;
      try {
        found = await member.claim(Math.min(batchSize, remaining));
        failures = 0;
      } catch (err) {
        if (stop.aborted) return;
        if (watch === undefined || !(BackendError.is(err, "CONNECTION") || BackendError.is(err, "TIMEOUT"))) throw err;
        watch.recover?.(err);
        await abortableSleep(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] as number, stop, { keepAlive: true });
        continue;
      }
      if (found.batch === undefined) {
        if (watch === undefined) return;
        await waitForWork(watch, found.cursor, found.wakeAt, stop);
        continue;
      }
      batch = found.batch;
      for (const entry of batch.entries) {
        unhandled = entry.offset;
        yield entry;
        unhandled = entry.offset + 1;
        remaining--;
        if (stop.aborted || remaining === 0) break;
      }
      if (stop.aborted) break;
      // Without autoCommit the claim keeps its lease until the caller commits (or it ends).
      if (autoCommit) await batch.commitThrough(batch.to, false);
      batch = undefined;
    }
  } finally {
    watch?.dispose();
    if (batch !== undefined && !closed.aborted) {
      // Stopped mid-batch: what is finished is committed (autoCommit), the rest goes back to
      // the group now; if this fails the lease ends and the entries are redelivered anyway.
      await batch.release(autoCommit ? unhandled : batch.committedTo).catch(() => {});
    }
  }
}

/** Waits for an append, the next lease to end or {@link MAX_WAIT_MS}, whichever comes first. */
async function waitForWork<V>(
  watch: QueueWatch<V>,
  cursor: number,
  wakeAt: number | undefined,
  stop: AbortSignal,
): Promise<void> {
  const ms = Math.max(1, Math.min(MAX_WAIT_MS, wakeAt === undefined ? MAX_WAIT_MS : wakeAt - Date.now()));
  const wake = new AbortController();
  // Ref'd: a waiting member keeps the process alive, as a blocking stream does.
  const timer = setTimeout(() => wake.abort(), ms);
  try {
    await watch.wait(cursor, 1, identity as DecodeStored<V>, AbortSignal.any([stop, wake.signal]));
  } catch {
    // A failed wait is a wake-up: the next claim reports a lasting failure.
  } finally {
    clearTimeout(timer);
  }
}

const identity = (text: string) => text;
