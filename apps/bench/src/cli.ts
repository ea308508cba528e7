#!/usr/bin/env node
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { lineChart, ratioChart } from "./charts.js";
import { concurrencyCount, runConcurrency } from "./concurrency.js";
import { machineLine, serverVersions } from "./machine.js";
import { runMemory } from "./memory-rss.js";
import { runOverhead } from "./overhead.js";
import { peerPlan } from "./peers/plan.js";
import { runPeers } from "./peers/run-peers.js";
import { makeProfile, type Profile } from "./profile.js";
import { Progress } from "./progress.js";
import { renderReport } from "./report.js";
import {
  type BenchResult,
  type ConcurrentResult,
  type PairResult,
  type PeerResult,
  peerRatio,
  ratio,
  type ScalingResult,
} from "./results.js";
import { pairCount, runPairs } from "./run-pairs.js";
import { runScaling } from "./scaling.js";
import { SCALING_OPERATIONS } from "./scaling-operations.js";
import { BACKENDS, type BackendName } from "./targets.js";
import { runWakeup } from "./wakeup.js";

/** The parts of a run. */
export const SECTIONS = ["pairs", "concurrency", "scaling", "memory", "wakeup", "peers", "overhead"] as const;
export type Section = (typeof SECTIONS)[number];

/** Options of {@link runBench}. */
export interface BenchOptions {
  quick?: boolean;
  /** Stored sizes of the scaling section (default 1k, 100k, 1M; quick: 100, 1k). */
  scalingSizes?: readonly number[];
  /** Fill budget of one protocol's scaling store, ms (default 600 s; quick: 10 s). */
  fillBudgetMs?: number;
  /** Only pairs whose "backend protocol operation" label contains this text. */
  filter?: string;
  backends?: readonly BackendName[];
  sections?: readonly Section[];
  /** Draw a progress bar on stderr. */
  progress?: boolean;
}

const sum = <T>(items: readonly T[], count: (item: T) => number) => items.reduce((n, item) => n + count(item), 0);

/**
 * Runs the selected sections on the selected backends. Never throws for a backend that
 * is missing, unreachable or lacks a protocol: those come back as `not-measured`.
 *
 * @example
 * ```ts
 * const { results } = await runBench({ quick: true });
 * ```
 */
export async function runBench(
  options: BenchOptions = {},
): Promise<{ results: BenchResult[]; profile: Profile; seconds: number }> {
  const profile = makeProfile(options);
  const backends = options.backends ?? BACKENDS;
  const sections = new Set(options.sections ?? SECTIONS);
  const steps =
    (sections.has("pairs") ? sum(backends, (b) => pairCount(profile, b)) : 0) +
    (sections.has("concurrency") ? sum(backends, (b) => concurrencyCount(profile, b)) : 0) +
    (sections.has("scaling") ? backends.length * profile.scalingSizes.length * SCALING_OPERATIONS.length : 0) +
    (sections.has("memory") ? backends.length + (backends.includes("memory") ? 3 : 0) : 0) +
    (sections.has("wakeup") ? backends.length * 2 : 0) +
    (sections.has("peers") ? peerPlan(profile, backends).length : 0) +
    (sections.has("overhead") ? backends.length : 0);
  const progress = new Progress(steps, { silent: !options.progress });
  const started = performance.now();
  const results: BenchResult[] = [];
  if (sections.has("pairs"))
    for (const name of backends) results.push(...(await runPairs(name, profile, progress, options.filter)));
  if (sections.has("concurrency"))
    for (const name of backends) results.push(...(await runConcurrency(name, profile, progress, options.filter)));
  if (sections.has("scaling"))
    for (const name of backends) results.push(...(await runScaling(name, profile, progress)));
  if (sections.has("memory")) results.push(...(await runMemory(backends, profile, progress)));
  if (sections.has("wakeup")) for (const name of backends) results.push(...(await runWakeup(name, profile, progress)));
  if (sections.has("peers")) results.push(...(await runPeers(backends, profile, progress, options.filter)));
  if (sections.has("overhead")) results.push(...(await runOverhead(backends, profile, progress)));
  progress.done();
  return { results, profile, seconds: (performance.now() - started) / 1000 };
}

/**
 * Writes the SVG charts (ratio per backend, ratio to the peers, scaling curves) into `dir`;
 * returns their paths.
 *
 * @example
 * ```ts
 * const files = writeCharts(results, "docs/bench");
 * ```
 */
export function writeCharts(results: readonly BenchResult[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const pairs = results.filter((r): r is PairResult => r.kind === "pair");
  for (const backend of BACKENDS) {
    const bars = pairs
      .filter((p) => p.backend === backend)
      .map((p) => [`${p.protocol} ${p.operation}`, ratio(p)] as const);
    if (bars.length === 0) continue;
    const file = join(dir, `ratio-${backend}.svg`);
    writeFileSync(file, ratioChart(`${backend}: our throughput ÷ raw driver (same run)`, bars));
    files.push(file);
  }
  const concurrent = results.filter((r): r is ConcurrentResult => r.kind === "concurrent");
  for (const backend of BACKENDS) {
    const bars = concurrent
      .filter((r) => r.backend === backend)
      .map((r) => [`${r.operation} × ${r.inFlight}`, ratio(r)] as const);
    if (bars.length === 0) continue;
    const file = join(dir, `concurrency-${backend}.svg`);
    writeFileSync(file, ratioChart(`${backend}: ours ÷ raw with calls in flight (same run)`, bars));
    files.push(file);
  }
  const peers = results.filter((r): r is PeerResult => r.kind === "peer");
  for (const [name, rows] of [
    ["cache", peers.filter((p) => p.protocol === "cache")],
    ["queue", peers.filter((p) => p.protocol !== "cache")],
  ] as const) {
    if (rows.length === 0) continue;
    const file = join(dir, `peers-${name}.svg`);
    const bars = rows.map(
      (p) => [`${p.backend} ${p.protocol} ${p.operation} vs ${p.peer.replace(/ [^ ]+$/, "")}`, peerRatio(p)] as const,
    );
    writeFileSync(
      file,
      ratioChart(`${name}: our throughput ÷ the peer's (same run)`, bars, "1.0 = as fast as the peer"),
    );
    files.push(file);
  }
  const points = results.filter((r): r is ScalingResult => r.kind === "scaling");
  // Growth curves per backend: every scaling operation as one line.
  for (const backend of BACKENDS) {
    const series = SCALING_OPERATIONS.map((op) => ({
      name: op.name.replace(/^records /, ""),
      points: points
        .filter((p) => p.backend === backend && p.operation === op.name)
        .map((p) => [p.size, p.ours.p50Us] as const),
    })).filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const file = join(dir, `scaling-${backend}.svg`);
    writeFileSync(file, lineChart(`${backend}: p50 latency vs items stored`, "µs", series));
    files.push(file);
  }
  return files;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      sizes: { type: "string" },
      "fill-budget": { type: "string" },
      // Singular spellings for one section or backend: `--section scaling --backend redis`.
      section: { type: "string" },
      backend: { type: "string" },
      filter: { type: "string" },
      backends: { type: "string" },
      sections: { type: "string" },
      out: { type: "string" },
    },
  });
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const list = <T extends string>(text: string | undefined, allowed: readonly T[], what: string): T[] | undefined => {
    if (!text) return undefined;
    const items = text.split(",").map((s) => s.trim()) as T[];
    const bad = items.filter((i) => !allowed.includes(i));
    if (bad.length) throw new Error(`unknown ${what}: ${bad.join(", ")}; choose from ${allowed.join(", ")}`);
    return items;
  };
  const budgetMs = (text: string) => {
    const n = Number(text);
    if (!(n > 0)) throw new Error(`--fill-budget takes seconds > 0, not ${text}`);
    return n * 1000;
  };
  const options: BenchOptions = {
    quick: values.quick,
    scalingSizes: values.sizes?.split(",").map((s) => {
      const n = Number(s.replace(/_/g, ""));
      if (!Number.isSafeInteger(n) || n < 20) throw new Error(`--sizes takes item counts ≥ 20, not ${s}`);
      return n;
    }),
    fillBudgetMs: values["fill-budget"] === undefined ? undefined : budgetMs(values["fill-budget"]),
    filter: values.filter,
    backends: list(values.backends ?? values.backend, BACKENDS, "backend"),
    sections: list(values.sections ?? values.section, SECTIONS, "section"),
    progress: true,
  };
  const { results, profile, seconds } = await runBench(options);
  // A quick or partial run (some sections, backends or sizes) must not overwrite the real report.
  const partial = Boolean(
    values.quick || options.sections || options.backends || options.scalingSizes || options.filter,
  );
  const report =
    values.out ?? (partial ? join(tmpdir(), "core-bench-partial", "BENCHMARKS.md") : join(root, "BENCHMARKS.md"));
  mkdirSync(dirname(report), { recursive: true });
  const chartDir = join(dirname(report), "docs/bench");
  const charts = writeCharts(results, chartDir).map((f) => relative(dirname(report), f));
  const text = renderReport(results, {
    date: new Date().toISOString().slice(0, 10),
    profile,
    machine: machineLine(),
    servers: await serverVersions(),
    seconds,
    charts,
  });
  writeFileSync(report, text);
  const missing = results.filter((r) => r.kind === "not-measured");
  console.log(
    `wrote ${report} and ${charts.length} charts in ${Math.round(seconds)} s; ${missing.length} scenario(s) not measured`,
  );
  for (const r of missing) console.log(`  not measured: ${r.backend} ${r.section} ${r.operation}: ${r.reason}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
