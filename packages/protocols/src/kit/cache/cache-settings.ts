import type { CacheOptions } from "../../cache.js";
import { invalidArgument, notSupported } from "../../errors.js";
import { checkCodec } from "../../queue-input.js";
import { assertPlainObject, assertTtl, describeValue } from "../../validation.js";
import type { CacheDriver, CacheSettings } from "./cache-driver.js";
import { CacheValues } from "./cache-values.js";

/**
 * Validates `backend.cache(name, options)` options once for every backend and applies the
 * defaults: `INVALID_ARGUMENT` for a bad option, `NOT_SUPPORTED` for `maxEntries` on a
 * driver without native LRU (checked first: no value of it can work there).
 *
 * @example
 * ```ts
 * const settings = checkCacheSettings(driver, { defaultTtlMs: 60_000 });
 * settings.sweepIntervalMs; // the driver's default
 * ```
 */
export function checkCacheSettings(driver: CacheDriver, options: CacheOptions | undefined): CacheSettings {
  const backend = driver.backend;
  if (options === undefined) {
    const codec = checkCodec(backend, undefined);
    return {
      defaultTtlMs: undefined,
      maxEntries: undefined,
      sweepIntervalMs: driver.sweepIntervalMs,
      codec,
      values: new CacheValues(backend, codec),
      onError: "throw",
      onCacheError: undefined,
    };
  }
  assertPlainObject(backend, options as unknown, "cache options");
  const { defaultTtlMs, maxEntries, sweepIntervalMs } = options;
  if (maxEntries !== undefined && !driver.maxEntries) {
    throw notSupported(backend, "maxEntries (configure the server's eviction policy instead)");
  }
  assertTtl(backend, defaultTtlMs);
  if (
    maxEntries !== undefined &&
    (typeof maxEntries !== "number" || !Number.isSafeInteger(maxEntries) || maxEntries < 1)
  ) {
    throw invalidArgument(backend, `maxEntries must be a positive integer, got ${describeValue(maxEntries)}`);
  }
  if (
    sweepIntervalMs !== undefined &&
    (typeof sweepIntervalMs !== "number" || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs <= 0)
  ) {
    throw invalidArgument(backend, `sweepIntervalMs must be a positive number, got ${describeValue(sweepIntervalMs)}`);
  }
  const { onError, onCacheError } = options;
  if (onError !== undefined && onError !== "throw" && onError !== "miss") {
    throw invalidArgument(backend, `onError must be "throw" or "miss", got ${describeValue(onError)}`);
  }
  if (onCacheError !== undefined) {
    if (typeof onCacheError !== "function") {
      throw invalidArgument(backend, `onCacheError must be a function, got ${describeValue(onCacheError)}`);
    }
    // It would never be called: failures reject instead.
    if (onError !== "miss") throw invalidArgument(backend, 'onCacheError needs onError: "miss"');
  }
  const codec = checkCodec(backend, options.codec);
  return {
    defaultTtlMs,
    maxEntries,
    sweepIntervalMs: sweepIntervalMs ?? driver.sweepIntervalMs,
    codec,
    values: new CacheValues(backend, codec),
    onError: onError ?? "throw",
    onCacheError,
  };
}
