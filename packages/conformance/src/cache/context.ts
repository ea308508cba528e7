import type { Backend, Cache, CacheOptions, Capabilities, ErrorCode } from "@core/protocols";
import { expect } from "vitest";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";

/**
 * What every cache test reads: the backend opened in `beforeAll`, its capabilities (read
 * from an instance while collecting, so gated tests are registered, never skipped) and
 * the suite options.
 *
 * @example
 * ```ts
 * const cache = ctx.cache({ defaultTtlMs: 60_000 }); // a fresh namespace on ctx.backend
 * ```
 */
export interface CacheContext {
  readonly options: ConformanceOptions;
  readonly caps: Capabilities;
  /** Multiplier of TTLs and bounded waits. */
  readonly timeScale: number;
  /** fast-check runs per property. */
  readonly numRuns: number;
  /** The client opened in `beforeAll`. */
  backend: Backend;
  /** A cache on a fresh namespace of {@link backend}. */
  cache<V = unknown>(options?: CacheOptions): Cache<V>;
  /** A short TTL (ms), scaled. */
  readonly shortTtl: number;
  /** Upper bound of waits for an effect promised "soon" (expiry, sweep), scaled. */
  readonly waitMs: number;
}

/**
 * Builds the context; `backend` is filled in by `beforeAll`.
 *
 * @example
 * ```ts
 * const ctx = createCacheContext(options, probe.capabilities);
 * ```
 */
export function createCacheContext(options: ConformanceOptions, caps: Capabilities): CacheContext {
  const timeScale = options.timeScale ?? 1;
  const ctx: CacheContext = {
    options,
    caps,
    timeScale,
    numRuns: options.numRuns ?? 25,
    backend: undefined as unknown as Backend,
    cache: <V>(cacheOptions?: CacheOptions) => ctx.backend.cache<V>(freshName("cache"), cacheOptions),
    shortTtl: 40 * timeScale,
    waitMs: 3000 * timeScale,
  };
  return ctx;
}

/**
 * Asserts that `fn` fails (synchronously or by rejecting) with a `BackendError` of `code`
 * whose message starts with `[backend]`.
 *
 * @example
 * ```ts
 * await expectCode(() => cache.set("", 1), "INVALID_ARGUMENT");
 * ```
 */
export async function expectCode(fn: () => unknown, code: ErrorCode): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  expect(error, `expected a BackendError with code ${code}`).toBeInstanceOf(Error);
  expect((error as Error).name, String(error)).toBe("BackendError");
  expect((error as { code?: unknown }).code, String(error)).toBe(code);
  expect((error as Error).message).toMatch(/^\[[^\]]+\] /);
  expect(typeof (error as { retryable?: unknown }).retryable).toBe("boolean");
}

/**
 * Every key `keys()` lists, sorted by code unit. A `keys()` that throws synchronously
 * surfaces as a rejection.
 *
 * @example
 * ```ts
 * expect(await listKeys(cache, "user:*")).toEqual(["user:1", "user:2"]);
 * ```
 */
export async function listKeys(cache: Cache<unknown>, match?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const key of cache.keys(match === undefined ? undefined : { match })) out.push(key);
  return out.sort();
}
