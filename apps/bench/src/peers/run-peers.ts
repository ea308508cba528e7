import { type Case, compare } from "../measure.js";
import type { Profile } from "../profile.js";
import type { Progress } from "../progress.js";
import type { BenchResult } from "../results.js";
import { type BackendName, openTarget, reason } from "../targets.js";
import { withTimeout } from "../timeout.js";
import { cacheKey, VALUE } from "../workload.js";
import { CACHE_PEERS } from "./cache-peers.js";
import { cacheOperations, enqueueOperations, latencySubjects, scenarioLabel } from "./plan.js";
import { QUEUE_PEERS } from "./queue-peers.js";
import { queuePeer } from "./queue-run.js";
import { missing, OPEN_TIMEOUT_MS, type Run, scenario } from "./scenario.js";
import { type PeerCache, type PeerSpec, peerLabel } from "./types.js";

async function cachePeer(run: Run, spec: PeerSpec<PeerCache>): Promise<void> {
  const peer = peerLabel(spec);
  const ops = cacheOperations(run.profile);
  const labels = ops.map((op) => scenarioLabel(run.backend, peer, `cache ${op}`));
  if (!run.ours.capabilities.cache) {
    for (const l of labels) missing(run, l, "capability cache is false", true);
    for (const l of labels) run.progress.step(l);
    return;
  }
  let theirs: PeerCache;
  try {
    theirs = await withTimeout(spec.open(run.tag), OPEN_TIMEOUT_MS, `opening ${peer}`);
  } catch (err) {
    for (const l of labels) missing(run, l, `${peer} could not be opened: ${reason(err)}`);
    for (const l of labels) run.progress.step(l);
    return;
  }
  try {
    const { keys, batch: n } = run.profile.peers;
    const cache = run.ours.cache<typeof VALUE>(`peer-${run.tag}`);
    const key = (i: number) => cacheKey(i, keys);
    const batchKeys = (i: number) => Array.from({ length: n }, (_, j) => key(i * n + j));
    const fill = async (write: (entries: [string, typeof VALUE][]) => Promise<unknown>) => {
      for (let from = 0; from < keys; from += 100)
        await write(Array.from({ length: Math.min(100, keys - from) }, (_, j) => [key(from + j), VALUE]));
    };
    const filled: (Promise<void> | undefined)[] = [];
    const setups = [
      () => (filled[0] ??= fill((e) => cache.setMany(e.map(([k, value]) => ({ key: k, value }))))),
      () => (filled[1] ??= fill((e) => theirs.setMany(e))),
    ];
    const c = spec.calls;
    // operation, our call, the peer's call, ours, theirs, whether it reads prefilled keys
    const cases: [string, string, string, Case["run"], Case["run"], boolean][] = [
      ["set", "set", c.set!, (i) => cache.set(key(i), VALUE), (i) => theirs.set(key(i), VALUE), false],
      ["get (hit)", "get", c.get!, (i) => cache.get(key(i)), (i) => theirs.get(key(i)), true],
      [
        `getMany(${n})`,
        "getMany",
        c.getMany!,
        (i) => cache.getMany(batchKeys(i)),
        (i) => theirs.getMany(batchKeys(i)),
        true,
      ],
      [
        `setMany(${n})`,
        "setMany",
        c.setMany!,
        (i) => cache.setMany(batchKeys(i).map((k) => ({ key: k, value: VALUE }))),
        (i) => theirs.setMany(batchKeys(i).map((k) => [k, VALUE] as const)),
        false,
      ],
    ];
    for (const [index, [operation, oursCall, peerCall, ours, peerRun, needsFill]] of cases.entries()) {
      await scenario(run, [labels[index]!], async () => {
        const [o, t] = await compare(
          [
            { name: "ours", run: ours, setup: needsFill ? setups[0] : undefined },
            { name: peer, run: peerRun, setup: needsFill ? setups[1] : undefined },
          ],
          run.profile.measure,
        );
        run.out.push({
          kind: "peer",
          backend: run.backend,
          protocol: "cache",
          operation,
          batch: operation.includes("Many") ? n : 1,
          oursCall,
          peerCall,
          peer,
          ours: o!,
          theirs: t!,
        });
      });
    }
  } finally {
    await withTimeout(theirs.close(), OPEN_TIMEOUT_MS, `closing ${peer}`).catch(() => {});
  }
}

/**
 * Ours versus the peers on every selected backend that has one: cache peers (Keyv,
 * unstorage) on get/set/getMany/setMany, queue peers (BullMQ, pg-boss) on enqueue
 * throughput and enqueue → worker latency against our queue and transport. Never throws:
 * anything that fails becomes `not-measured` with the reason.
 *
 * @example
 * ```ts
 * const results = await runPeers(["redis"], makeProfile({ quick: true }), progress);
 * ```
 */
export async function runPeers(
  backends: readonly BackendName[],
  profile: Profile,
  progress: Progress,
  filter?: string,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const backend of backends) {
    const cachePeers = CACHE_PEERS.filter((p) => p.backend === backend);
    const queuePeers = QUEUE_PEERS.filter((p) => p.backend === backend);
    if (cachePeers.length + queuePeers.length === 0) continue;
    const target = await openTarget(backend, { raw: false });
    try {
      const tag = `${process.pid}_${Date.now().toString(36)}`;
      if (!target.backend) {
        const why = `backend could not be opened: ${target.error}`;
        const fake = { backend, profile, progress, out, tag } as Run;
        for (const spec of cachePeers)
          for (const op of cacheOperations(profile)) {
            const label = scenarioLabel(backend, peerLabel(spec), `cache ${op}`);
            missing(fake, label, why);
            progress.step(label);
          }
        for (const spec of queuePeers)
          for (const what of [
            ...enqueueOperations(profile).flatMap((op) => [`queue ${op}`, `transport ${op}`]),
            ...latencySubjects(spec.name).map((s) => `latency ${s}`),
          ]) {
            const label = scenarioLabel(backend, peerLabel(spec), what);
            missing(fake, label, why);
            progress.step(label);
          }
        continue;
      }
      const run: Run = { backend, ours: target.backend, profile, progress, filter, out, tag };
      for (const spec of cachePeers) await cachePeer(run, spec);
      for (const spec of queuePeers) await queuePeer(run, spec);
    } finally {
      await target.close();
    }
  }
  return out;
}
