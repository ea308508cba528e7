import { afterAll, beforeAll, describe, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";
import { SUITE_TEST_TIMEOUT_MS } from "../options.js";
import { registerCacheAtomic } from "./atomic.js";
import { registerCacheCodec } from "./codec.js";
import { createCacheContext, expectCode } from "./context.js";
import { registerCacheExpiryState } from "./expiry-state.js";
import { registerCacheFailOpen } from "./fail-open.js";
import { registerCacheKeys } from "./keys.js";
import { registerCacheLifecycle } from "./lifecycle.js";
import { registerCacheLimits } from "./limits.js";
import { registerCacheOperations } from "./operations.js";
import { registerCacheProperties } from "./properties.js";
import { registerCacheTtl } from "./ttl.js";
import { registerCacheValues } from "./values.js";

/**
 * Registers the cache conformance suite (PROTOCOLS.md §0 and §1, `cache.ts`) for a
 * backend. Capabilities are read from an instance while collecting, so a test for an
 * absent capability is reported as skipped ("cache: not supported by this backend") next to one
 * test that it is `NOT_SUPPORTED` — never as passing tests that ran nothing.
 * Every test works in a fresh namespace, so suites may run in parallel on one server.
 *
 * @example
 * ```ts
 * import { describeCacheConformance } from "@core/conformance";
 * import { openMemoryBackend } from "@core/backend-memory";
 *
 * describeCacheConformance({ name: "memory", open: () => openMemoryBackend() });
 * ```
 */
export function describeCacheConformance(options: ConformanceOptions): void {
  describe(`cache conformance: ${options.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, async () => {
    const probe = await options.open();
    const caps = probe.capabilities;
    await probe.close();
    const ctx = createCacheContext(options, caps);

    beforeAll(async () => {
      ctx.backend = await options.open();
    });
    afterAll(async () => {
      await ctx.backend?.close();
    });

    if (!caps.cache) {
      test("backend.cache() is NOT_SUPPORTED without capabilities.cache", async () => {
        await expectCode(() => ctx.backend.cache(freshName("cache")), "NOT_SUPPORTED");
      });
    }

    describeCapability(caps.cache, "cache", () => {
      describe("values", () => registerCacheValues(ctx));
      describe("operations", () => registerCacheOperations(ctx));
      describe("keys and names", () => registerCacheKeys(ctx));
      describe("ttl and expiry", () => registerCacheTtl(ctx));
      describe("add and increment", () => registerCacheAtomic(ctx));
      describe("limits and options", () => registerCacheLimits(ctx));
      describe("codec failures", () => registerCacheCodec(ctx));
      describe("close and persistence", () => registerCacheLifecycle(ctx));
      describe("properties", () => registerCacheProperties(ctx));
      describe("expiry before the sweep, sweep and recency state", () => registerCacheExpiryState(ctx));
      describe('onError: "miss" (fail-open)', () => registerCacheFailOpen(ctx));
    });
  });
}
