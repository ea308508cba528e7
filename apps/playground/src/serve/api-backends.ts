import { BUILTIN_SCHEMES, invalidArgument } from "@core/protocols";
import { CACHE_NAME } from "./api-cache.js";
import { QUEUE_TOPIC } from "./api-queue.js";
import { stringField } from "./http-errors.js";
import type { Router } from "./router.js";
import { type PlaygroundSession, PROTOCOLS, type Protocol } from "./session.js";

/**
 * Backend routes: what is chosen, suggested URLs, switching a protocol to another URL,
 * and `GET /api/stats` (cache and queue counters plus the latency history).
 *
 * @example
 * ```ts
 * backendRoutes(router, session, ["memory:", "sqlite::memory:"]);
 * // POST /api/backends { "protocol": "cache", "url": "redis://127.0.0.1:6379" }
 * ```
 */
export function backendRoutes(router: Router, session: PlaygroundSession, suggestions: readonly string[]): void {
  router.add("GET", "/api/backends", async () => ({
    choice: session.choice(),
    protocols: PROTOCOLS,
    suggestions,
    schemes: Object.keys(BUILTIN_SCHEMES),
  }));

  router.add("POST", "/api/backends", async (ctx) => {
    const body = await ctx.body();
    const protocol = stringField(body, "protocol") as Protocol;
    if (!PROTOCOLS.includes(protocol))
      throw invalidArgument("playground", `protocol must be one of ${PROTOCOLS.join(", ")}`);
    const url = stringField(body, "url").trim();
    const backend = await session.choose(protocol, url);
    return {
      protocol,
      url,
      backend: backend.name,
      capabilities: backend.capabilities,
      supported: backend.capabilities[protocol],
    };
  });

  router.add("GET", "/api/stats", async () => {
    const settle = async <T>(fn: () => Promise<T>) => {
      try {
        return { ok: true as const, value: await fn() };
      } catch (err) {
        return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
      }
    };
    // Stats reads stay out of the latency history so the chart shows the user's calls.
    const [cache, queue] = await Promise.all([
      settle(async () => (await session.backend("cache")).cache(CACHE_NAME).stats()),
      settle(async () => (await session.backend("queue")).queue(QUEUE_TOPIC).stats()),
    ]);
    return { choice: session.choice(), cache, queue, latency: session.samples() };
  });
}
