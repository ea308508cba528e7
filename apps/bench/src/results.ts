import type { Measurement } from "./measure.js";
import type { Protocol } from "./scenarios.js";

/** A measured ours-versus-raw pair. */
export interface PairResult {
  kind: "pair";
  backend: string;
  protocol: Protocol;
  operation: string;
  batch: number;
  /** What the raw side is (driver, durability, statements). */
  baseline: string;
  ours: Measurement;
  raw: Measurement;
}

/** One point of a scaling curve: our operation with `size` items stored. */
export interface ScalingResult {
  kind: "scaling";
  backend: string;
  operation: string;
  size: number;
  ours: Measurement;
}

/** RSS of a child process doing one memory scenario. */
export interface MemoryResult {
  kind: "memory";
  backend: string;
  scenario: string;
  items: number;
  /** RSS growth over the child's idle baseline, bytes. */
  rssDeltaBytes: number;
  /** The same for the baseline (a `Map` of the codec's text), when there is one. */
  baselineDeltaBytes?: number;
  note: string;
}

/** Writer → blocked reader latency. */
export interface WakeupResult {
  kind: "wakeup";
  backend: string;
  mode: "same process" | "across processes";
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * A scenario that produced no number, and why. `byCapability` is true only when the
 * backend declares it lacks the protocol; anything else is a failure to report.
 */
export interface NotMeasured {
  kind: "not-measured";
  backend: string;
  section: "pairs" | "scaling" | "memory" | "wakeup";
  operation: string;
  reason: string;
  byCapability: boolean;
}

export type BenchResult = PairResult | ScalingResult | MemoryResult | WakeupResult | NotMeasured;

/**
 * Ratio of our throughput to the raw driver's (1.00 = as fast as raw).
 *
 * @example
 * ```ts
 * ratio(result).toFixed(2);
 * ```
 */
export function ratio(r: PairResult): number {
  return r.ours.opsPerSec / r.raw.opsPerSec;
}
