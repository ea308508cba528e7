import { overheadTable } from "./overhead.js";
import { renderPeers } from "./peers/report-peers.js";
import type { Profile } from "./profile.js";
import { renderScaling } from "./report-scaling.js";
import {
  type BenchResult,
  type ConcurrentResult,
  type MemoryResult,
  type NotMeasured,
  type PairResult,
  ratio,
  type WakeupResult,
} from "./results.js";
import { BACKENDS } from "./targets.js";
import { checkTargets } from "./targets-check.js";

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
const us = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

const of = <K extends BenchResult["kind"]>(results: readonly BenchResult[], kind: K) =>
  results.filter((r): r is Extract<BenchResult, { kind: K }> => r.kind === kind);

/** What the report header records about the run. */
export interface ReportMeta {
  date: string;
  profile: Profile;
  machine: string;
  servers: string;
  seconds: number;
  /** Chart files relative to the report. */
  charts: readonly string[];
}

function headline(pairs: readonly PairResult[]): string[] {
  const ops = [...new Set(pairs.map((p) => `${p.protocol} ${p.operation}`))];
  const backends = BACKENDS.filter((b) => pairs.some((p) => p.backend === b));
  const lines = [`| operation | ${backends.join(" | ")} |`, `|---|${backends.map(() => "---:").join("|")}|`];
  for (const op of ops) {
    const cells = backends.map((b) => {
      const p = pairs.find((x) => x.backend === b && `${x.protocol} ${x.operation}` === op);
      return p ? `${ratio(p).toFixed(2)}×` : "—";
    });
    lines.push(`| ${op} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function details(pairs: readonly PairResult[]): string[] {
  const out: string[] = [];
  for (const backend of BACKENDS) {
    const rows = pairs.filter((p) => p.backend === backend);
    if (rows.length === 0) continue;
    out.push(`### ${backend}`, "", `Raw baseline: ${rows[0]!.baseline}.`, "");
    out.push(
      "| operation | ours calls/s (min–max) | ours items/s | raw calls/s | ratio | ours p50 / p99 µs | raw p50 / p99 µs |",
      "|---|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of rows) {
      out.push(
        `| ${r.protocol} ${r.operation} | ${fmt(r.ours.opsPerSec)} (${fmt(r.ours.minOpsPerSec)}–${fmt(r.ours.maxOpsPerSec)}) | ${fmt(r.ours.opsPerSec * r.batch)} | ${fmt(r.raw.opsPerSec)} | **${ratio(r).toFixed(2)}** | ${us(r.ours.p50Us)} / ${us(r.ours.p99Us)} | ${us(r.raw.p50Us)} / ${us(r.raw.p99Us)} |`,
      );
    }
    out.push("");
  }
  return out;
}

function concurrency(rows: readonly ConcurrentResult[]): string[] {
  if (rows.length === 0) return ["Not run."];
  const levels = [...new Set(rows.map((r) => r.inFlight))].sort((a, b) => a - b);
  const out = [
    `| backend | operation | ${levels.map((n) => `× ${n}: ratio (ours calls/s)`).join(" | ")} | fastest setting ours / raw |`,
    `|---|---|${levels.map(() => "---:").join("|")}|---|`,
  ];
  for (const backend of BACKENDS) {
    for (const op of [...new Set(rows.map((r) => r.operation))]) {
      const row = levels.map((n) => rows.find((r) => r.backend === backend && r.operation === op && r.inFlight === n));
      if (row.every((r) => !r)) continue;
      const cells = row.map((r) => (r ? `**${ratio(r).toFixed(2)}×** (${fmt(r.ours.opsPerSec)})` : "—"));
      const settings = [
        ...new Set(row.filter(Boolean).map((r) => `${r!.oursSetting || "—"} / ${r!.rawSetting || "—"}`)),
      ];
      out.push(`| ${backend} | ${op} | ${cells.join(" | ")} | ${settings.join("; ")} |`);
    }
  }
  const baselines = [...new Set(rows.map((r) => `${r.backend}: ${r.baseline}`))];
  out.push("", "Raw baselines (the faster setting's): ", "", ...baselines.map((b) => `- ${b}`));
  return out;
}

function memory(rows: readonly MemoryResult[]): string[] {
  const out = ["| backend | scenario | N | RSS growth | baseline | note |", "|---|---|---:|---:|---:|---|"];
  for (const r of rows) {
    out.push(
      `| ${r.backend} | ${r.scenario} | ${r.items.toLocaleString("en-US")} | ${mb(r.rssDeltaBytes)} | ${r.baselineDeltaBytes === undefined ? "—" : `${mb(r.baselineDeltaBytes)} (Map)`} | ${r.note} |`,
    );
  }
  return out;
}

function wakeup(rows: readonly WakeupResult[]): string[] {
  const out = ["| backend | writer → reader | samples | p50 ms | p99 ms | max ms |", "|---|---|---:|---:|---:|---:|"];
  for (const r of rows)
    out.push(
      `| ${r.backend} | ${r.mode} | ${r.samples} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.maxMs.toFixed(2)} |`,
    );
  return out;
}

function notMeasured(rows: readonly NotMeasured[]): string[] {
  if (rows.length === 0) return ["Every scenario produced a number."];
  const out = ["| backend | section | scenario | reason |", "|---|---|---|---|"];
  for (const r of rows)
    out.push(
      `| ${r.backend} | ${r.section} | ${r.operation} | ${r.byCapability ? "by capability: " : ""}${r.reason.replace(/\|/g, "\\|")} |`,
    );
  return out;
}

/**
 * The whole BENCHMARKS.md: machine, method, headline ratios, targets, per-backend
 * tables, scaling, memory, wake-up latency, the peers and what was not measured (with the
 * reason).
 *
 * @example
 * ```ts
 * writeFileSync("BENCHMARKS.md", renderReport(results, meta));
 * ```
 */
export function renderReport(results: readonly BenchResult[], meta: ReportMeta): string {
  const pairs = of(results, "pair");
  const m = meta.profile.measure;
  const lines = [
    "# Benchmarks",
    "",
    `Generated by \`pnpm bench\`${meta.profile.quick ? " --quick (CI smoke sizes — not representative)" : ""} on ${meta.date} in ${Math.round(meta.seconds)} s.`,
    "",
    `**Machine:** ${meta.machine}. **Servers:** ${meta.servers}.`,
    "",
    `**Method.** Every row runs ours and the raw driver in the same process, same run: setup, a warm-up of half a round each, then ${m.rounds} interleaved rounds of ~${m.roundMs} ms per side, in reverse order every other round (so drift hits both alike and neither side always runs right after the other). calls/s is the median round (min–max over rounds); p50/p99 are over every timed call. **ratio = our calls/s ÷ raw calls/s, per round, as the median over pairs of consecutive rounds of the pair's geometric mean** (1.00 = as fast as the raw driver): the two sides of a round ran back to back, so load that comes and goes on the machine cancels in their ratio, and a pair holds both orders, so what the side measured first leaves for the second (dirty pages the kernel writes back during the next side's round) cancels too. The raw side runs the same codec (\`defaultCodec\` encode on write, decode on read) and returns the same shapes, so the ratio measures the storage path. ${meta.profile.keys.toLocaleString("en-US")} keys/entries/records are stored for reads. Batches: ${meta.profile.batches.join(", ")}. File rows marked (exclusive) open ours with \`exclusive: true\` (no cross-process lock, like the raw baseline); the others are the default shared mode.`,
    "",
    ...meta.charts.map((c) => `![${c}](${c})`),
    "",
    "## Ratio ours / raw",
    "",
    ...headline(pairs),
    "",
    "## Targets of the backend issues",
    "",
    "| backend | target | verdict | measured |",
    "|---|---|---|---|",
    ...checkTargets(results).map(
      (t) =>
        `| ${t.backend} | ${t.target} | ${t.verdict === "met" ? "✅ met" : t.verdict === "not met" ? "❌ not met" : "— not measured"} | ${t.measured} |`,
    ),
    "",
    "## Per backend",
    "",
    ...details(pairs),
    "## Concurrency (calls in flight)",
    "",
    `Ours and the raw driver with 1, 16, 64 and 256 calls outstanding at all times (that many workers, each starting its next call when its last one returns), ${meta.profile.inFlightMeasure.rounds} interleaved rounds of ~${meta.profile.inFlightMeasure.roundMs} ms per side, ratio as above. Postgres: both sides on a pool of 10 connections (ours' default \`max\`). Redis: both sides measured with and without ioredis auto-pipelining (\`autoPipelining\` on ours); each side's faster setting is reported. File: ours measured shared (the default: every write under a cross-process lock, every read checks the log for other processes' writes) and, in rows marked (exclusive), with \`exclusive: true\` (the directory held by one backend: the like-for-like comparison, as the raw baseline has no cross-process lock); the shared rows stay as measured. Target: ratio ≥ 0.9× at every level.`,
    "",
    ...concurrency(of(results, "concurrent")),
    "",
    ...renderScaling(of(results, "scaling"), of(results, "disk"), of(results, "scaling-run")),
    "",
    "## Memory (RSS in a child process, after full GCs)",
    "",
    ...memory(of(results, "memory")),
    "",
    "## Stream wake-up latency (writer → blocked `stream({ block: true })` reader)",
    "",
    "Measured from the writer's wall-clock send time (stored in the value) to the reader's receipt; the writer waits 3 ms so the reader is blocked. Across processes the writer `flush()`es after each `put`.",
    "",
    ...wakeup(of(results, "wakeup")),
    "",
    ...renderPeers(results),
    "## Instrumentation overhead (`@core/otel`, no provider registered)",
    "",
    "Cache get through `instrument(backend)` with no tracer or meter provider registered, against the same cache of the bare backend, interleaved in the same run. overhead = 1 − instrumented calls/s ÷ bare calls/s.",
    "",
    ...overheadTable(of(results, "overhead")),
    "",
    "## Not measured",
    "",
    ...notMeasured(of(results, "not-measured")),
    "",
  ];
  return lines.join("\n");
}
