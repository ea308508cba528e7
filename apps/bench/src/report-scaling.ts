import type { DiskResult, ScalingResult, ScalingRunResult } from "./results.js";
import { BACKENDS } from "./targets.js";

const us = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
const count = (n: number) => n.toLocaleString("en-US");
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

function curves(points: readonly ScalingResult[]): string[] {
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const out = [
    `| backend | operation | ${sizes.map((s) => `p50 µs @ ${count(s)}`).join(" | ")} | growth first→last |`,
    `|---|---|${sizes.map(() => "---:").join("|")}|---:|`,
  ];
  for (const backend of BACKENDS) {
    for (const op of [...new Set(points.map((p) => p.operation))]) {
      const row = sizes.map((s) => points.find((p) => p.backend === backend && p.operation === op && p.size === s));
      if (row.every((p) => !p)) continue;
      const present = row.filter(Boolean) as ScalingResult[];
      const growth = present.length > 1 ? `${(present.at(-1)!.ours.p50Us / present[0]!.ours.p50Us).toFixed(2)}×` : "—";
      out.push(`| ${backend} | ${op} | ${row.map((p) => (p ? us(p.ours.p50Us) : "—")).join(" | ")} | ${growth} |`);
    }
  }
  return out;
}

function disk(rows: readonly DiskResult[]): string[] {
  if (rows.length === 0) return [];
  const sizes = [...new Set(rows.map((r) => r.items))].sort((a, b) => a - b);
  const out = [
    "Bytes on disk after the fill (the store's directory; SQLite checkpointed), and per million items at the largest size:",
    "",
    `| backend | store | ${sizes.map((s) => `@ ${count(s)}`).join(" | ")} | per million items |`,
    `|---|---|${sizes.map(() => "---:").join("|")}|---:|`,
  ];
  for (const backend of BACKENDS)
    for (const protocol of ["cache", "queue", "records"] as const) {
      const row = sizes.map((s) => rows.find((r) => r.backend === backend && r.protocol === protocol && r.items === s));
      const last = row.filter(Boolean).at(-1);
      if (!last) continue;
      out.push(
        `| ${backend} | ${protocol} | ${row.map((r) => (r ? mb(r.bytes) : "—")).join(" | ")} | ${mb((last.bytes / last.items) * 1_000_000)} |`,
      );
    }
  return [...out, ""];
}

function runs(rows: readonly ScalingRunResult[]): string[] {
  if (rows.length === 0) return [];
  const out = [
    "Time the section took per backend (fill, maintenance and measurement), and each store's fill time up to each size (postgres: plus its `VACUUM (ANALYZE)`):",
    "",
    "| backend | section s | cache fill s | queue fill s | records fill s |",
    "|---|---:|---|---|---|",
  ];
  for (const r of rows) {
    const fills = (protocol: string) =>
      r.fills
        .filter((f) => f.protocol === protocol)
        .map(
          (f) =>
            `${f.seconds.toFixed(1)}${f.settleSeconds === undefined ? "" : ` + ${f.settleSeconds.toFixed(1)} vacuum`} (→${count(f.size)})`,
        )
        .join(", ") || "—";
    out.push(
      `| ${r.backend} | ${Math.round(r.seconds)} | ${fills("cache")} | ${fills("queue")} | ${fills("records")} |`,
    );
  }
  return [...out, ""];
}

/**
 * The scaling section of BENCHMARKS.md: how to run it alone, what the data is, the p50
 * per operation and size, bytes on disk, and how long it took per backend.
 *
 * @example
 * ```ts
 * lines.push(...renderScaling(points, disks, runs));
 * ```
 */
export function renderScaling(
  points: readonly ScalingResult[],
  disks: readonly DiskResult[],
  sections: readonly ScalingRunResult[],
): string[] {
  return [
    "## Scaling",
    "",
    'Our p50 latency as the store grows. Per backend and protocol one store is grown through the sizes with batches of 1,000 (`setMany`, `putBatch`, `storeBatch` with `preserveTimestamps`) and measured at each size, all operations of the protocol in the same interleaved rounds (each runs ~75 ms in each of 8 rounds; p50 over every call), so a burst of noise on the machine is shared by all rows instead of landing on one; a fill that passes its budget leaves the larger sizes "not measured" with the reason. Records: three layers in turn, 1% with `content.tag: "rare"`, naturalKeys in hash order, `createdAt` spread over a year at one-second resolution (about 3% ties at 1M), `updatedAt` up to a month later. Pages take `limit: 100` after a cursor in the middle of the ordering (30–70%), in each built-in ordering, both directions, across layers and within `gold`; the filtered page is the first page. Keys and queue offsets are spread over the whole store. After each fill, before measuring, postgres gets what an operator runs after a bulk load (and autovacuum would run by itself; the bench server has it off): `VACUUM (ANALYZE)` on the tables written, so the planner has statistics and the visibility map and hint bits are set, then `CHECKPOINT`, so no measurement pays for writing out the load; its `shared_buffers` (in the header) is a quarter of the memory of the machine, set by `pnpm bench` as an operator would for a million records (with the packaged 128 MB the 1M table and its indexes do not fit, and a page reads most of its rows from the OS cache). Flat or logarithmic growth is the goal.',
    "",
    "Run this section alone (writes a report to a temp directory unless `--out` is given; `REDIS_URL` / `POSTGRES_URL` point it at other servers): `pnpm --filter @core/bench build && node apps/bench/dist/cli.js --section scaling --backend redis [--sizes 1000,100000,1000000]`.",
    "",
    ...curves(points),
    "",
    ...disk(disks),
    ...runs(sections),
  ];
}
