import { type BackendProvider, BUILTIN_SCHEMES } from "@core/protocols";
import { invalidArgument } from "@core/protocols/kit";
import { CACHE_NAME } from "./api-cache.js";
import { QUEUE_TOPIC } from "./api-queue.js";
import { stringField, toApiError } from "./http-errors.js";
import type { Router } from "./router.js";
import { type PlaygroundSession, PROTOCOLS, type Protocol } from "./session.js";

/** A third-party backend package loaded with `--backend-package`: its name and URL schemes. */
export type LoadedPackage = Pick<BackendProvider, "name" | "schemes">;

/** Whether the backend chosen for a protocol has it (or why it could not be opened). */
export type ProtocolStatus = { backend: string; supported: boolean } | { error: { code: string; message: string } };

/**
 * Backend routes: what is chosen (and whether each chosen backend supports its protocol),
 * suggested URLs, the built-in schemes and those of loaded third-party packages, switching
 * a protocol to another URL, and `GET /api/stats` (cache and queue counters plus the
 * latency history).
 *
 * @example
 * ```ts
 * backendRoutes(router, session, ["memory:", "sqlite::memory:"], [{ name: "acme", schemes: ["acme"] }]);
 * // POST /api/backends { "protocol": "cache", "url": "redis://127.0.0.1:6379" }
 * ```
 */
export function backendRoutes(
  router: Router,
  session: PlaygroundSession,
  suggestions: readonly string[],
  packages: readonly LoadedPackage[] = [],
): void {
  router.add("GET", "/api/backends", async () => {
    const status: Partial<Record<Protocol, ProtocolStatus>> = {};
    for (const protocol of PROTOCOLS) {
      try {
        const backend = await session.backend(protocol);
        status[protocol] = { backend: backend.name, supported: backend.capabilities[protocol] };
      } catch (err) {
        status[protocol] = { error: toApiError(err).body.error };
      }
    }
    return {
      choice: session.choice(),
      protocols: PROTOCOLS,
      status,
      suggestions: [...suggestions, ...packages.flatMap((p) => p.schemes.map((scheme) => `${scheme}:`))],
      schemes: Object.keys(BUILTIN_SCHEMES),
      packages: packages.map(({ name, schemes }) => ({ name, schemes: [...schemes] })),
    };
  });

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
