import { invalidArgument } from "../errors.js";

/** Exponential backoff between a transport's attempts. */
export interface BackoffOptions {
  /** Delay after the first failed attempt (ms). Default 100. */
  initialMs?: number;
  /** Upper bound of any delay (ms). Default 10 000. */
  maxMs?: number;
  /** Growth factor per attempt (≥ 1). Default 2. */
  multiplier?: number;
  /** Full jitter: a uniformly random delay in `[0, computed]`. Default false. */
  jitter?: boolean;
}

/** Backoff options with every default filled in. */
export type ResolvedBackoff = Readonly<Required<BackoffOptions>>;

const DEFAULTS: ResolvedBackoff = Object.freeze({ initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: false });

function assertDelay(what: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArgument("publisher", `backoff.${what} must be a non-negative finite number, got ${String(value)}`);
  }
}

/**
 * Validates backoff options and fills in the defaults (INVALID_ARGUMENT on a bad value).
 *
 * @example
 * ```ts
 * resolveBackoff({ initialMs: 50 }); // { initialMs: 50, maxMs: 10000, multiplier: 2, jitter: false }
 * ```
 */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  if (options === null || typeof options !== "object") {
    throw invalidArgument("publisher", "backoff must be an object");
  }
  assertDelay("initialMs", options.initialMs);
  assertDelay("maxMs", options.maxMs);
  const { multiplier, jitter } = options;
  if (multiplier !== undefined && (typeof multiplier !== "number" || !Number.isFinite(multiplier) || multiplier < 1)) {
    throw invalidArgument("publisher", `backoff.multiplier must be a finite number ≥ 1, got ${String(multiplier)}`);
  }
  if (jitter !== undefined && typeof jitter !== "boolean") {
    throw invalidArgument("publisher", "backoff.jitter must be a boolean");
  }
  return Object.freeze({
    initialMs: options.initialMs ?? DEFAULTS.initialMs,
    maxMs: options.maxMs ?? DEFAULTS.maxMs,
    multiplier: multiplier ?? DEFAULTS.multiplier,
    jitter: jitter ?? DEFAULTS.jitter,
  });
}

/**
 * The delay (ms) to wait after failed attempt number `attempt` (1-based) before the next
 * one: `min(maxMs, initialMs × multiplier^(attempt − 1))`, or with `jitter` a uniformly
 * random value in `[0, that]` ("full jitter", so retrying publishers spread out). Pure:
 * randomness comes from `random`.
 *
 * @example
 * ```ts
 * backoffDelay(1, { initialMs: 100 }); // 100
 * backoffDelay(3, { initialMs: 100 }); // 400
 * backoffDelay(3, { initialMs: 100, jitter: true }, () => 0.5); // 200
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw invalidArgument("publisher", `attempt must be a positive integer, got ${String(attempt)}`);
  }
  const { initialMs, maxMs, multiplier, jitter } = resolveBackoff(options);
  // Exponent capped so huge attempt numbers cannot overflow to Infinity·0 = NaN.
  const exponential = initialMs * multiplier ** Math.min(attempt - 1, 1000);
  const capped = Math.min(maxMs, Number.isFinite(exponential) ? exponential : maxMs);
  if (!jitter) return capped;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * capped);
}
