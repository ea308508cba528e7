import type { Measurement } from "./measure.js";

/** A measured pair: ours and the raw baseline. */
export interface Result {
  backend: string;
  operation: string;
  baseline: string;
  ours: Measurement;
  raw: Measurement;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));

/**
 * Markdown table of results; the ratio is ours/raw throughput (1.00 = as fast as raw).
 *
 * @example
 * ```ts
 * console.log(markdownTable(results));
 * ```
 */
export function markdownTable(results: readonly Result[]): string {
  const lines = [
    "| backend | operation | ours ops/s (min–max) | raw ops/s | baseline | ratio ours/raw | ours p50 / p99 µs | raw p50 / p99 µs |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.backend} | ${r.operation} | ${fmt(r.ours.opsPerSec)} (${fmt(r.ours.minOpsPerSec)}–${fmt(r.ours.maxOpsPerSec)}) | ${fmt(r.raw.opsPerSec)} | ${r.baseline} | **${(r.ours.opsPerSec / r.raw.opsPerSec).toFixed(2)}** | ${r.ours.p50Us.toFixed(1)} / ${r.ours.p99Us.toFixed(1)} | ${r.raw.p50Us.toFixed(1)} / ${r.raw.p99Us.toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}
