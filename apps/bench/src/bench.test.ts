import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBench, writeCharts } from "./cli.js";
import { concurrencyCount } from "./concurrency.js";
import { peerPlan, resultLabel } from "./peers/plan.js";
import { renderReport } from "./report.js";
import type { BenchResult } from "./results.js";
import { pairCount } from "./run-pairs.js";
import { SCALING_OPERATIONS } from "./scaling-operations.js";
import { BACKENDS } from "./targets.js";

const positive = (n: number) => Number.isFinite(n) && n > 0;

describe("bench quick mode", () => {
  it("every scenario of every backend produces a number, or is not measured because the backend lacks the capability", async () => {
    const { results, profile, seconds } = await runBench({ quick: true });
    const failures = results.filter((r) => r.kind === "not-measured" && !r.byCapability);
    expect(
      failures.map((r) => r.kind === "not-measured" && `${r.backend} ${r.section} ${r.operation}: ${r.reason}`),
    ).toEqual([]);

    const count = (backend: string, kinds: BenchResult["kind"][], section?: string) =>
      results.filter(
        (r) => r.backend === backend && kinds.includes(r.kind) && (r.kind !== "not-measured" || r.section === section),
      ).length;
    for (const backend of BACKENDS) {
      expect(count(backend, ["pair", "not-measured"], "pairs"), `${backend} pairs`).toBe(pairCount(profile, backend));
      expect(count(backend, ["concurrent", "not-measured"], "concurrency"), `${backend} concurrency`).toBe(
        concurrencyCount(profile, backend),
      );
      expect(count(backend, ["scaling", "not-measured"], "scaling"), `${backend} scaling`).toBe(
        profile.scalingSizes.length * SCALING_OPERATIONS.length,
      );
      // Every scaling operation (16 orderings, filtered page and count, count by layer) has a
      // number at every size; file and sqlite report bytes on disk at each size.
      expect(
        results.filter((r) => r.kind === "scaling" && r.backend === backend).length,
        `${backend} scaling points`,
      ).toBe(profile.scalingSizes.length * SCALING_OPERATIONS.length);
      expect(count(backend, ["disk"]), `${backend} bytes on disk`).toBe(
        backend === "file" || backend === "sqlite" ? profile.scalingSizes.length * 3 : 0,
      );
      expect(count(backend, ["scaling-run"]), `${backend} scaling section time`).toBe(1);
      expect(count(backend, ["wakeup", "not-measured"], "wakeup"), `${backend} wake-up`).toBe(2);
      expect(count(backend, ["memory", "not-measured"], "memory"), `${backend} memory`).toBe(
        backend === "memory" ? 4 : 1,
      );
      expect(count(backend, ["overhead", "not-measured"], "overhead"), `${backend} otel overhead`).toBe(1);
    }
    // Every installed peer: each scenario of the plan has exactly one result.
    const plan = peerPlan(profile, BACKENDS);
    expect(plan.length).toBeGreaterThan(0);
    expect(
      results
        .map(resultLabel)
        .filter((l) => l !== undefined)
        .sort(),
    ).toEqual([...plan].sort());
    for (const r of results) {
      const label = `${r.backend} ${r.kind} ${"operation" in r ? r.operation : ""}`;
      if (r.kind === "pair" || r.kind === "concurrent") {
        for (const m of [r.ours, r.raw]) {
          expect(positive(m.opsPerSec) && m.samples > 0, label).toBe(true);
          expect(m.p99Us, label).toBeGreaterThanOrEqual(m.p50Us);
        }
      } else if (r.kind === "scaling") {
        expect(positive(r.ours.opsPerSec), label).toBe(true);
      } else if (r.kind === "disk") {
        expect(positive(r.bytes), label).toBe(true);
      } else if (r.kind === "memory") {
        expect(Number.isFinite(r.rssDeltaBytes), label).toBe(true);
      } else if (r.kind === "peer") {
        for (const m of [r.ours, r.theirs]) {
          expect(positive(m.opsPerSec) && m.samples > 0, `${label} vs ${r.peer}`).toBe(true);
          expect(m.p99Us, label).toBeGreaterThanOrEqual(m.p50Us);
        }
      } else if (r.kind === "peer-latency") {
        expect(r.samples, `${label} ${r.subject}`).toBeGreaterThan(0);
        expect(r.p50Ms >= 0 && r.p99Ms >= r.p50Ms, `${label} ${r.subject}`).toBe(true);
      } else if (r.kind === "overhead") {
        for (const m of [r.instrumented, r.bare]) expect(positive(m.opsPerSec) && m.samples > 0, label).toBe(true);
      } else if (r.kind === "wakeup") {
        expect(r.samples, label).toBe(profile.wakeups);
        expect(r.p50Ms >= 0 && r.p99Ms >= r.p50Ms, label).toBe(true);
      }
    }

    // The report and charts render from these results.
    const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
    try {
      const charts = writeCharts(results, dir);
      expect(charts.length).toBeGreaterThan(0);
      for (const file of charts) expect(readFileSync(file, "utf8")).toMatch(/^<svg[\s\S]*<\/svg>$/);
      const text = renderReport(results, { date: "today", profile, machine: "m", servers: "s", seconds, charts });
      expect(text).toContain("## Ratio ours / raw");
      expect(text).toContain("## Targets of the backend issues");
      expect(text).toContain("## Concurrency (calls in flight)");
      // Every backend has a concurrency verdict with a number (quick sizes: not judged here).
      for (const backend of BACKENDS)
        expect(text).toMatch(
          new RegExp(`\\| ${backend} \\| ratio ours/raw ≥ 0\\.9× at [^|]*calls in flight.*\\| \\d+\\.\\d+×`),
        );
      expect(text).toContain("## Scaling");
      expect(text).toContain("per million items");
      // The scaling targets are judged (quick sizes: on the sizes run, not 1k vs 1M).
      for (const backend of ["sqlite", "postgres", "redis"])
        expect(text).toMatch(
          new RegExp(
            `\\| ${backend} \\| records page \\(limit 100\\) in every ordering[^|]*\\| (✅ met|❌ not met) \\|`,
          ),
        );
      expect(text).toMatch(/\| redis \| records filtered page \(1%\) at 100k[^|]*\| — not measured \|/);
      for (const backend of BACKENDS) expect(charts.some((f) => f.endsWith(`scaling-${backend}.svg`))).toBe(true);
      expect(text).toContain("## vs the peers");
      expect(text).toContain("## Instrumentation overhead");
      expect(
        charts.some((f) => f.endsWith("peers-cache.svg")) && charts.some((f) => f.endsWith("peers-queue.svg")),
      ).toBe(true);
      for (const backend of BACKENDS) expect(charts.some((f) => f.endsWith(`concurrency-${backend}.svg`))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The whole quick run: minutes when other jobs load the machine.
  }, 300_000);
});
