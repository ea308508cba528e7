import { IN_FLIGHT } from "./concurrency.js";
import type { MeasureOptions } from "./measure.js";

/** How big and how long a run is. */
export interface Profile {
  quick: boolean;
  measure: MeasureOptions;
  /** Keys / entries / records stored for the read scenarios. */
  keys: number;
  batches: readonly number[];
  /** Calls in flight of the concurrency rows. */
  inFlight: readonly number[];
  /**
   * How long each concurrency row is measured: more rounds than `measure`, as a round
   * there is only as steady as the server's or the disk's slowest moments (a pool of 10
   * fsyncing commits, a Redis shared with other clients), and the row's ratio is the
   * median over pairs of rounds (an even count: see `ratioOfRounds`).
   */
  inFlightMeasure: MeasureOptions;
  /** Stored items of the scaling curves. */
  scalingSizes: readonly number[];
  /** How long each scaling point is measured (shorter than the pairs: there are ~60 points per backend). */
  scalingMeasure: MeasureOptions;
  /**
   * Fill budget of one protocol's scaling store, all sizes together: the sizes not reached
   * in time are reported as not measured, with the reason.
   */
  prefillBudgetMs: number;
  /** Batches of 1,000 in flight while filling a scaling store. */
  fillInFlight: number;
  /** Entries of the memory (RSS) scenarios. */
  memoryItems: number;
  /** A scenario still running after this long is reported as not measured. */
  scenarioTimeoutMs: number;
  /** Writer → reader round trips of the wake-up scenarios. */
  wakeups: number;
  /** Peer comparisons: keys stored for reads, the batch size, and the latency samples (capped by a time budget). */
  peers: { keys: number; batch: number; latencySamples: number; latencyBudgetMs: number };
}

/**
 * The quick profile (CI: seconds, small sizes) or the full one (scaling at 1k, 100k and
 * 1M items; `scalingSizes` overrides the sizes, e.g. for a scaling-only run).
 *
 * @example
 * ```ts
 * const profile = makeProfile({ quick: true });
 * ```
 */
export function makeProfile(options: {
  quick?: boolean;
  scalingSizes?: readonly number[];
  /** Overrides the fill budget of one protocol's scaling store (ms). */
  fillBudgetMs?: number;
}): Profile {
  if (options.quick) {
    return {
      quick: true,
      measure: { rounds: 2, roundMs: 10 },
      keys: 200,
      batches: [10, 100, 1000],
      // Two levels exercise the concurrent path; the full levels take minutes on a loaded machine.
      inFlight: [1, 8],
      inFlightMeasure: { rounds: 2, roundMs: 10 },
      scalingSizes: options.scalingSizes ?? [100, 1000],
      scalingMeasure: { rounds: 2, roundMs: 5 },
      prefillBudgetMs: options.fillBudgetMs ?? 10_000,
      fillInFlight: 2,
      memoryItems: 5_000,
      scenarioTimeoutMs: 15_000,
      wakeups: 10,
      peers: { keys: 100, batch: 10, latencySamples: 4, latencyBudgetMs: 3_000 },
    };
  }
  return {
    quick: false,
    measure: { rounds: 6, roundMs: 150 },
    keys: 10_000,
    batches: [10, 100, 1000],
    inFlight: IN_FLIGHT,
    inFlightMeasure: { rounds: 10, roundMs: 150 },
    scalingSizes: options.scalingSizes ?? [1_000, 100_000, 1_000_000],
    scalingMeasure: { rounds: 8, roundMs: 75 },
    // A million items per protocol and backend, on two cores (measured fills: see the report;
    // sqlite records took 246 s to 1M in the 2026-12-07 run, too close to a 300 s budget).
    prefillBudgetMs: options.fillBudgetMs ?? 600_000,
    fillInFlight: 4,
    memoryItems: 1_000_000,
    scenarioTimeoutMs: 60_000,
    wakeups: 200,
    // Keyv SQLite writes one fsync'd transaction per key, so a 1,000-key prefill already takes seconds.
    peers: { keys: 1_000, batch: 100, latencySamples: 100, latencyBudgetMs: 15_000 },
  };
}
