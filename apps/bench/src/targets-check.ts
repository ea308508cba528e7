import { CONCURRENT_OPERATIONS } from "./concurrency.js";
import type { BenchResult, ConcurrentResult, PairResult, PeerResult, TargetVerdict, WakeupResult } from "./results.js";
import { peerRatio, ratio } from "./results.js";
import { scalingTargets } from "./scaling-targets.js";

// set, get (hit), getMany(n), setMany(n): see peers/plan.ts.
const PEER_CACHE_OPERATIONS = 4;

export type { TargetVerdict } from "./results.js";

const SINGLE = ["cache get (hit)", "cache set", "queue put", "queue get(offset, limit 1)"];

function pair(results: readonly BenchResult[], backend: string, operation: string): PairResult | undefined {
  return results.find(
    (r): r is PairResult => r.kind === "pair" && r.backend === backend && `${r.protocol} ${r.operation}` === operation,
  );
}

function judge(
  backend: string,
  target: string,
  value: number | undefined,
  ok: (v: number) => boolean,
  show: (v: number) => string,
): TargetVerdict {
  if (value === undefined || !Number.isFinite(value))
    return { backend, target, verdict: "not measured", measured: "—" };
  return { backend, target, verdict: ok(value) ? "met" : "not met", measured: show(value) };
}

function worstSingleRatio(results: readonly BenchResult[], backend: string): [number, string] | undefined {
  const found = SINGLE.map((op) => [pair(results, backend, op), op] as const).filter(([p]) => p);
  if (found.length < SINGLE.length) return undefined;
  return found.map(([p, op]) => [ratio(p!), op] as [number, string]).sort((a, b) => a[0] - b[0])[0];
}

// The worst ours/raw ratio over every concurrency row of a backend; undefined unless every
// operation at every level produced a row (a partial set would flatter us).
function worstConcurrentRatio(results: readonly BenchResult[], backend: string): [number, string] | undefined {
  const rows = results.filter((r): r is ConcurrentResult => r.kind === "concurrent" && r.backend === backend);
  const levels = new Set(rows.map((r) => r.inFlight)).size;
  if (levels === 0 || rows.length < CONCURRENT_OPERATIONS.length * levels) return undefined;
  return rows
    .map((r) => [ratio(r), `${r.operation} × ${r.inFlight}`] as [number, string])
    .sort((a, b) => a[0] - b[0])[0];
}

function levelsOf(results: readonly BenchResult[], backend: string): string {
  const levels = [
    ...new Set(results.flatMap((r) => (r.kind === "concurrent" && r.backend === backend ? [r.inFlight] : []))),
  ];
  return levels.length ? levels.sort((a, b) => a - b).join(", ") : "1, 16, 64 and 256";
}

function batchGain(results: readonly BenchResult[], backend: string): [number, string] | undefined {
  const gains: [number, string][] = [];
  for (const [single, batch] of [
    ["cache set", "cache setMany(1000)"],
    ["queue put", "queue putBatch(1000)"],
  ] as const) {
    const s = pair(results, backend, single);
    const m = pair(results, backend, batch);
    if (!s || !m) return undefined;
    gains.push([(m.ours.opsPerSec * m.batch) / s.ours.opsPerSec, batch]);
  }
  return gains.sort((a, b) => a[0] - b[0])[0];
}

function putBatchRate(results: readonly BenchResult[], backend: string): number | undefined {
  const rates = results
    .filter((r): r is PairResult => r.kind === "pair" && r.backend === backend && r.operation.startsWith("putBatch"))
    .map((r) => r.ours.opsPerSec * r.batch);
  return rates.length ? Math.max(...rates) : undefined;
}

function wakeP99(results: readonly BenchResult[], backend: string, mode: WakeupResult["mode"]): number | undefined {
  return results.find((r): r is WakeupResult => r.kind === "wakeup" && r.backend === backend && r.mode === mode)?.p99Ms;
}

// The worst ours/peer ratio over every cache operation against the named peers; undefined
// unless each named peer produced every cache row (a partial set would flatter us).
function worstPeerRatio(
  results: readonly BenchResult[],
  backend: string,
  names: readonly string[],
): [number, string] | undefined {
  const rows = results.filter(
    (r): r is PeerResult =>
      r.kind === "peer" &&
      r.protocol === "cache" &&
      r.backend === backend &&
      names.some((n) => r.peer.startsWith(`${n} `)),
  );
  const perPeer = names.map((n) => rows.filter((r) => r.peer.startsWith(`${n} `)).length);
  if (perPeer.some((c) => c < PEER_CACHE_OPERATIONS)) return undefined;
  const [worst] = rows
    .map((r) => [peerRatio(r), `${r.operation} vs ${r.peer}`] as [number, string])
    .sort((a, b) => a[0] - b[0]);
  return worst;
}

/**
 * The speed targets of the backend issues, each judged met / not met / not measured,
 * including the cache-versus-peer targets (Keyv, unstorage).
 *
 * @example
 * ```ts
 * for (const v of checkTargets(results)) console.log(v.backend, v.target, v.verdict);
 * ```
 */
export function checkTargets(results: readonly BenchResult[]): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const x = (v: number) => `${v.toFixed(2)}×`;
  const perSec = (v: number) => `${Math.round(v).toLocaleString("en-US")} entries/s`;
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const rules: [string, number, number, number | undefined, number | undefined, number | undefined][] = [
    // backend, single-op ratio, batch gain, putBatch entries/s, in-process p99, cross-process p99
    ["sqlite", 0.9, 5, 200_000, undefined, undefined],
    ["postgres", 0.9, 10, 50_000, 20, undefined],
    ["redis", 0.9, 10, 100_000, 10, undefined],
    ["file", Number.NaN, Number.NaN, 200_000, 5, 50],
  ];
  for (const [backend, single, gain, rate, p99, p99x] of rules) {
    if (!Number.isNaN(single)) {
      const worst = worstSingleRatio(results, backend);
      const v = judge(
        backend,
        `single-op ratio ours/raw ≥ ${single}× (worst of cache get/set, queue put/get)`,
        worst?.[0],
        (r) => r >= single,
        x,
      );
      out.push(worst ? { ...v, measured: `${v.measured} (${worst[1]})` } : v);
    }
    if (!Number.isNaN(gain)) {
      const g = batchGain(results, backend);
      const v = judge(backend, `batch of 1000 vs single op ≥ ${gain}× items/s`, g?.[0], (r) => r >= gain, x);
      out.push(g ? { ...v, measured: `${v.measured} (${g[1]})` } : v);
    }
    if (rate !== undefined)
      out.push(
        judge(
          backend,
          `putBatch ≥ ${rate.toLocaleString("en-US")} entries/s`,
          putBatchRate(results, backend),
          (r) => r >= rate,
          perSec,
        ),
      );
    if (p99 !== undefined)
      out.push(
        judge(
          backend,
          `stream wake-up p99 ≤ ${p99} ms (same process)`,
          wakeP99(results, backend, "same process"),
          (r) => r <= p99,
          ms,
        ),
      );
    if (p99x !== undefined)
      out.push(
        judge(
          backend,
          `stream wake-up p99 ≤ ${p99x} ms (across processes)`,
          wakeP99(results, backend, "across processes"),
          (r) => r <= p99x,
          ms,
        ),
      );
  }
  for (const backend of ["memory", "file", "sqlite", "postgres", "redis"]) {
    const worst = worstConcurrentRatio(results, backend);
    const v = judge(
      backend,
      `ratio ours/raw ≥ 0.9× at ${levelsOf(results, backend)} calls in flight (worst of cache get/set, queue put, records get/store)`,
      worst?.[0],
      (r) => r >= 0.9,
      x,
    );
    out.push(worst ? { ...v, measured: `${v.measured} (${worst[1]})` } : v);
  }
  for (const [backend, names, want] of [
    ["sqlite", ["Keyv SQLite"], 3],
    ["postgres", ["Keyv Postgres"], 1.2],
    ["redis", ["Keyv Redis", "unstorage redis"], 1.0],
  ] as const) {
    const worst = worstPeerRatio(results, backend, names);
    const v = judge(
      backend,
      `cache vs ${names.join(" and ")} ≥ ${want}× (worst cache operation)`,
      worst?.[0],
      (r) => r >= want,
      x,
    );
    out.push(worst ? { ...v, measured: `${v.measured} (${worst[1]})` } : v);
  }
  out.push(...scalingTargets(results));
  return out;
}
