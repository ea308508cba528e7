import { type Measurement, ratioOfRounds } from "./measure.js";
import type { OverheadResult } from "./overhead.js";
import type { Protocol } from "./scenarios.js";

/** One target of a backend issue, judged against the measured numbers. */
export interface TargetVerdict {
  backend: string;
  target: string;
  /** "met", "not met" or "not measured". */
  verdict: string;
  measured: string;
}

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

/** Ours versus the raw driver with `inFlight` calls outstanding at all times. */
export interface ConcurrentResult {
  kind: "concurrent";
  backend: string;
  operation: string;
  inFlight: number;
  /** Each side's fastest tuning (e.g. "auto-pipelining"); empty when there is one. */
  oursSetting: string;
  rawSetting: string;
  /** What the raw side is (driver, pool, statements). */
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

/** Bytes on disk of a store holding `items` items (file and sqlite; sqlite checkpointed). */
export interface DiskResult {
  kind: "disk";
  backend: string;
  protocol: "cache" | "queue" | "records";
  items: number;
  bytes: number;
}

/** How long the scaling section took on one backend, and its fills per protocol and size. */
export interface ScalingRunResult {
  kind: "scaling-run";
  backend: string;
  seconds: number;
  /** Seconds spent writing each protocol's store up to each size (cumulative from the last size). */
  fills: {
    protocol: "cache" | "queue" | "records";
    size: number;
    seconds: number;
    /** Seconds of the after-load maintenance (postgres `VACUUM (ANALYZE)`), when there was any. */
    settleSeconds?: number;
  }[];
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

/** Ours versus a peer library (Keyv, unstorage, BullMQ, pg-boss) on the same server, same run. */
export interface PeerResult {
  kind: "peer";
  backend: string;
  /** Our protocol on this row: the cache, the queue or the transport. */
  protocol: "cache" | "queue" | "transport";
  /** What both sides do (e.g. "get (hit)", "enqueue batch(100)"). */
  operation: string;
  batch: number;
  /** The calls on each side (e.g. "put" and "add"). */
  oursCall: string;
  peerCall: string;
  /** Peer name and pinned version, e.g. "Keyv Redis 5.1.6". */
  peer: string;
  ours: Measurement;
  theirs: Measurement;
}

/** End-to-end latency enqueue → worker/handler of one subject (ours or a peer). */
export interface PeerLatencyResult {
  kind: "peer-latency";
  backend: string;
  /** The peer this latency group is compared with (e.g. "BullMQ 6.7.0"). */
  peer: string;
  /** Who is measured: "ours queue", "ours transport" or the peer itself. */
  subject: string;
  /** The path measured, e.g. "put → blocked stream". */
  path: string;
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
  section: "pairs" | "concurrency" | "scaling" | "memory" | "wakeup" | "peers" | "overhead";
  operation: string;
  reason: string;
  byCapability: boolean;
}

export type BenchResult =
  | PairResult
  | ConcurrentResult
  | ScalingResult
  | ScalingRunResult
  | DiskResult
  | MemoryResult
  | WakeupResult
  | PeerResult
  | PeerLatencyResult
  | OverheadResult
  | NotMeasured;

/**
 * Ratio of our throughput to the raw driver's (1.00 = as fast as raw): the median of the
 * per-round ratios (see `ratioOfRounds`).
 *
 * @example
 * ```ts
 * ratio(result).toFixed(2);
 * ```
 */
export function ratio(r: PairResult | ConcurrentResult): number {
  return ratioOfRounds(r.ours, r.raw);
}

/**
 * Ratio of our throughput to a peer's (above 1.00 = ours is faster).
 *
 * @example
 * ```ts
 * peerRatio(result).toFixed(2);
 * ```
 */
export function peerRatio(r: PeerResult): number {
  return r.ours.opsPerSec / r.theirs.opsPerSec;
}
