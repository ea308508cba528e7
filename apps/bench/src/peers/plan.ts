import type { Profile } from "../profile.js";
import type { BenchResult } from "../results.js";
import type { BackendName } from "../targets.js";
import { CACHE_PEERS } from "./cache-peers.js";
import { QUEUE_PEERS } from "./queue-peers.js";
import { peerLabel } from "./types.js";

/** The cache operations every cache peer is compared on. */
export const cacheOperations = (profile: Profile): string[] => {
  const n = profile.peers.batch;
  return ["set", "get (hit)", `getMany(${n})`, `setMany(${n})`];
};

/** The enqueue operations every queue peer is compared on (ours: queue and transport). */
export const enqueueOperations = (profile: Profile): string[] => ["enqueue", `enqueue batch(${profile.peers.batch})`];

/** The subjects of a queue peer's latency group: our queue, our transport, the peer. */
export const latencySubjects = (peerName: string): string[] => ["ours queue", "ours transport", peerName];

/**
 * The label of one peer scenario, shared by the plan, the results and not-measured entries.
 *
 * @example
 * ```ts
 * scenarioLabel("redis", "BullMQ 6.7.0", "queue enqueue"); // "redis vs BullMQ 6.7.0: queue enqueue"
 * ```
 */
export function scenarioLabel(backend: string, peer: string, what: string): string {
  return `${backend} vs ${peer}: ${what}`;
}

/**
 * Every peer scenario a run over `backends` should produce (one result each), for the
 * progress bar and for the quick-mode test.
 *
 * @example
 * ```ts
 * peerPlan(makeProfile({ quick: true }), ["redis"]).length;
 * ```
 */
export function peerPlan(profile: Profile, backends: readonly BackendName[]): string[] {
  const out: string[] = [];
  for (const spec of CACHE_PEERS.filter((p) => backends.includes(p.backend)))
    for (const op of cacheOperations(profile)) out.push(scenarioLabel(spec.backend, peerLabel(spec), `cache ${op}`));
  for (const spec of QUEUE_PEERS.filter((p) => backends.includes(p.backend))) {
    for (const op of enqueueOperations(profile))
      for (const protocol of ["queue", "transport"])
        out.push(scenarioLabel(spec.backend, peerLabel(spec), `${protocol} ${op}`));
    for (const subject of latencySubjects(spec.name))
      out.push(scenarioLabel(spec.backend, peerLabel(spec), `latency ${subject}`));
  }
  return out;
}

/**
 * The plan label a peer result (or a peer not-measured entry) stands for; undefined for
 * results of other sections.
 *
 * @example
 * ```ts
 * results.map(resultLabel).filter(Boolean);
 * ```
 */
export function resultLabel(r: BenchResult): string | undefined {
  if (r.kind === "peer") return scenarioLabel(r.backend, r.peer, `${r.protocol} ${r.operation}`);
  if (r.kind === "peer-latency") return scenarioLabel(r.backend, r.peer, `latency ${r.subject}`);
  if (r.kind === "not-measured" && r.section === "peers") return r.operation;
  return undefined;
}
