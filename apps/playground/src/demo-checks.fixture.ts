import { expect } from "vitest";
import type { DemoSummary } from "./demo.js";

/**
 * What every demo run must add up to, whatever the backends: every item is either new or
 * a duplicate, layers hold the unique stories, every gold story is delivered and audited,
 * the cache misses once per looked-up story and hits on the two later rounds, and the SQL
 * report (when the SQL backend has SQL) matches the layer counts.
 *
 * @example
 * ```ts
 * expectConsistentSummary(await runDemo({ items: 60 }, memoryOutput()), 60);
 * ```
 */
export function expectConsistentSummary(summary: DemoSummary, items: number): void {
  expect(summary.queued).toBe(items);
  expect(summary.unique + summary.duplicates).toBe(items);
  expect(summary.duplicates).toBeGreaterThan(0);
  const { bronze, silver, gold } = summary.layers;
  expect(bronze + silver + gold).toBe(summary.unique);
  expect(gold).toBeGreaterThan(0);
  expect(silver).toBe(0); // every silver record is enriched to gold
  expect(summary.delivered).toBe(gold);
  expect(summary.audited).toBe(gold);
  const looked = Math.min(gold, 50);
  expect(summary.cache).toEqual({ hits: 2 * looked, misses: looked });
  expect(summary.report).toEqual(
    [
      { layer: "gold", records: gold },
      { layer: "bronze", records: bronze },
      { layer: "silver", records: 0 },
    ].sort((a, b) => b.records - a.records || a.layer.localeCompare(b.layer)),
  );
}
