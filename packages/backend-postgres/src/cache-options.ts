import {
  assertPlainObject,
  assertTtl,
  type CacheOptions,
  type Codec,
  checkCodec,
  invalidArgument,
  type SetOptions,
} from "@core/protocols";
import { BACKEND } from "./errors.js";

const DEFAULT_SWEEP_MS = 60_000;

/** Cache options after validation, with defaults filled in. */
export interface ResolvedCacheOptions {
  defaultTtlMs: number | undefined;
  maxEntries: number | undefined;
  sweepIntervalMs: number;
  codec: Codec;
}

function positive(value: unknown, what: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === "number" && value > 0 && (integer ? Number.isSafeInteger(value) : Number.isFinite(value));
  if (!ok)
    throw invalidArgument(
      BACKEND,
      `${what} must be a positive ${integer ? "integer" : "finite number"}, got ${String(value)}`,
    );
  return value as number;
}

/**
 * Validates the options of `backend.cache(name, options)` (`INVALID_ARGUMENT` on a bad
 * one) and fills in the defaults.
 *
 * @example
 * ```ts
 * const { maxEntries, sweepIntervalMs } = checkCacheOptions({ maxEntries: 1000 });
 * ```
 */
export function checkCacheOptions(options: CacheOptions | undefined): ResolvedCacheOptions {
  if (options !== undefined) assertPlainObject(BACKEND, options, "cache options");
  assertTtl(BACKEND, options?.defaultTtlMs);
  return {
    defaultTtlMs: options?.defaultTtlMs,
    maxEntries: positive(options?.maxEntries, "maxEntries", true),
    sweepIntervalMs: positive(options?.sweepIntervalMs, "sweepIntervalMs", false) ?? DEFAULT_SWEEP_MS,
    codec: checkCodec(BACKEND, options?.codec),
  };
}

/**
 * Validates the options of `set`/`add`; returns the TTL they give, if any.
 *
 * @example
 * ```ts
 * const ttlMs = checkSetOptions({ ttlMs: 5000 }); // 5000
 * ```
 */
export function checkSetOptions(options: SetOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  assertPlainObject(BACKEND, options, "set options");
  assertTtl(BACKEND, options.ttlMs);
  return options.ttlMs;
}
