import type { Backend } from "@core/protocols";
import { storeBytes } from "./disk-usage.js";
import { compare } from "./measure.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult, ScalingRunResult } from "./results.js";
import {
  SCALING_OPERATIONS,
  type ScalingOperation,
  type ScalingProtocol,
  settleScaling,
  writeScalingBatch,
} from "./scaling-operations.js";
import { steadyState } from "./scaling-steady.js";
import { type BackendName, openTarget, reason, type Target } from "./targets.js";
import { withTimeout } from "./timeout.js";

const CHUNK = 1000;
const PROTOCOLS: readonly ScalingProtocol[] = ["cache", "queue", "records"];

class BudgetExceeded extends Error {}

// Grows `backend`'s store of `protocol` from `from` to `to` items in batches of 1,000,
// `inFlight` batches at a time (the server works on one while the next travels), giving up
// (BudgetExceeded) once the protocol's whole fill has used its budget.
async function grow(
  backend: Backend,
  protocol: ScalingProtocol,
  range: { from: number; to: number },
  profile: Profile,
  deadline: number,
): Promise<void> {
  let next = range.from;
  const worker = async () => {
    while (next < range.to) {
      if (performance.now() > deadline)
        throw new BudgetExceeded(
          `filling to ${range.to.toLocaleString("en-US")} items passed the ${profile.prefillBudgetMs / 1000} s fill budget at ${next.toLocaleString("en-US")}`,
        );
      const at = next;
      next = Math.min(range.to, at + CHUNK);
      await writeScalingBatch(backend, protocol, at, next - at);
    }
  };
  await Promise.all(Array.from({ length: profile.fillInFlight }, worker));
  await settleScaling(backend, protocol);
}

/**
 * Calls of a measurement that a timeout can stop: a timed-out measurement must stop
 * calling and let its last call finish, or it would keep the server busy under the next
 * measurement.
 */
class Stoppable {
  #stopped = false;
  #current: Promise<unknown> = Promise.resolve();

  /** `call`, refusing to start once stopped and remembering the call in flight. */
  wrap(call: (i: number) => Promise<unknown>): (i: number) => Promise<unknown> {
    return (i) => {
      if (this.#stopped) throw new Error("stopped after the timeout");
      this.#current = call(i);
      return this.#current;
    };
  }

  /** Stops further calls and waits (bounded) for the one in flight. */
  async stop(profile: Profile, what: string): Promise<void> {
    this.#stopped = true;
    await withTimeout(this.#current, profile.scenarioTimeoutMs, what).catch(() => {});
  }
}

/** Measures one operation on the grown store; a failure or a timeout is "not measured". */
async function measure(
  name: BackendName,
  backend: Backend,
  op: ScalingOperation,
  size: number,
  profile: Profile,
): Promise<BenchResult> {
  const calls = new Stoppable();
  try {
    const run = calls.wrap(op.prepare(backend, size));
    const [ours] = await withTimeout(
      compare([{ name: "ours", run }], profile.scalingMeasure),
      profile.scenarioTimeoutMs,
      op.name,
    );
    return { kind: "scaling", backend: name, operation: op.name, size, ours: ours! };
  } catch (err) {
    await calls.stop(profile, `${op.name}'s last call`);
    return notMeasured(name, op, size, reason(err), false);
  }
}

/**
 * Measures every operation of a protocol at one size in the same interleaved rounds, so a
 * burst of noise on the machine is shared by all of them instead of landing on one (a
 * page-growth verdict is the worst of 16 ratios). If any call fails or the whole run
 * times out, each operation is measured alone instead, so only the failing one is "not
 * measured".
 */
async function measureTogether(
  name: BackendName,
  backend: Backend,
  ops: readonly ScalingOperation[],
  size: number,
  profile: Profile,
): Promise<BenchResult[]> {
  const calls = new Stoppable();
  try {
    const cases = ops.map((op) => ({ name: op.name, run: calls.wrap(op.prepare(backend, size)) }));
    const timeoutMs = profile.scenarioTimeoutMs * ops.length;
    const measured = await withTimeout(compare(cases, profile.scalingMeasure), timeoutMs, `${name} scaling @ ${size}`);
    return ops.map((op, i) => ({ kind: "scaling", backend: name, operation: op.name, size, ours: measured[i]! }));
  } catch {
    await calls.stop(profile, "the last call");
    const out: BenchResult[] = [];
    for (const op of ops) out.push(await measure(name, backend, op, size, profile));
    return out;
  }
}

function notMeasured(name: BackendName, op: ScalingOperation, size: number, why: string, byCapability: boolean) {
  return {
    kind: "not-measured" as const,
    backend: name,
    section: "scaling" as const,
    operation: `${op.name} @ ${size}`,
    reason: why,
    byCapability,
  };
}

// One protocol's store on a fresh target, grown through the sizes; every operation of the
// protocol measured at each size, plus bytes on disk where the store lives in files.
async function scaleProtocol(
  name: BackendName,
  protocol: ScalingProtocol,
  profile: Profile,
  progress: Progress,
  run: ScalingRunResult,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const ops = SCALING_OPERATIONS.filter((op) => op.protocol === protocol);
  const target: Target = await openTarget(name, { raw: false });
  try {
    const backend = target.backend;
    const deadline = performance.now() + profile.prefillBudgetMs;
    let filled = 0;
    let stopped: string | undefined;
    if (!backend) stopped = `backend could not be opened: ${target.error}`;
    for (const size of profile.scalingSizes) {
      if (backend && !backend.capabilities[protocol]) {
        for (const op of ops) out.push(notMeasured(name, op, size, `capability ${protocol} is false`, true));
      } else if (backend && !stopped) {
        const started = performance.now();
        let settleSeconds = 0;
        try {
          await grow(backend, protocol, { from: filled, to: size }, profile, deadline);
          filled = size;
          settleSeconds = await steadyState(target, protocol);
        } catch (err) {
          stopped = err instanceof BudgetExceeded ? err.message : `filling failed: ${reason(err)}`;
        }
        const seconds = (performance.now() - started) / 1000 - settleSeconds;
        run.fills.push({ protocol, size, seconds, ...(settleSeconds > 0 ? { settleSeconds } : {}) });
        if (!stopped) {
          const bytes = storeBytes(target.opener);
          if (bytes !== undefined) out.push({ kind: "disk", backend: name, protocol, items: size, bytes });
          out.push(...(await measureTogether(name, backend, ops, size, profile)));
          for (const op of ops) progress.step(`${name} scaling ${op.name} @ ${size}`);
          continue;
        }
      }
      if (stopped) for (const op of ops) out.push(notMeasured(name, op, size, stopped, false));
      for (const op of ops) progress.step(`${name} scaling ${op.name} @ ${size}`);
    }
  } finally {
    await target.close();
  }
  return out;
}

/**
 * Our cost of each scaling operation at each stored size (`profile.scalingSizes`): per
 * protocol one store on a fresh backend, grown through the sizes in batches of 1,000 (the
 * fill bounded by `profile.prefillBudgetMs`, then "not measured" with the reason), brought
 * to its after-bulk-load state (`steadyState`: VACUUM (ANALYZE) on postgres), measured
 * at each size with keys, offsets and cursors spread over the whole data set. Also reports
 * bytes on disk (file, sqlite) and how long the section took on the backend.
 *
 * @example
 * ```ts
 * const points = await runScaling("sqlite", makeProfile({ quick: true }), progress);
 * ```
 */
export async function runScaling(name: BackendName, profile: Profile, progress: Progress): Promise<BenchResult[]> {
  const started = performance.now();
  const run: ScalingRunResult = { kind: "scaling-run", backend: name, seconds: 0, fills: [] };
  const out: BenchResult[] = [];
  for (const protocol of PROTOCOLS) out.push(...(await scaleProtocol(name, protocol, profile, progress, run)));
  run.seconds = (performance.now() - started) / 1000;
  out.push(run);
  return out;
}
