import type { Cache } from "@core/protocols";
import { intField, stringField } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";

/** The cache every page action works on. */
export const CACHE_NAME = "playground";
const MAX_KEYS = 500;

/**
 * Cache routes: set / get / ttl / keys / delete / clear on the chosen cache backend.
 *
 * @example
 * ```ts
 * cacheRoutes(router, session);
 * // POST /api/cache/set { "key": "a", "value": 1, "ttlMs": 5000 }
 * ```
 */
export function cacheRoutes(router: Router, session: PlaygroundSession): void {
  const cache = <T>(op: string, fn: (c: Cache) => Promise<T>): Promise<T> =>
    session.timed("cache", op, (b) => fn(b.cache(CACHE_NAME)));

  router.add("POST", "/api/cache/set", async (ctx) => {
    const body = await ctx.body();
    const key = stringField(body, "key");
    const ttlMs = intField(body, "ttlMs");
    await cache("set", (c) => c.set(key, body.value ?? null, ttlMs ? { ttlMs } : undefined));
    return { key, ok: true };
  });
  router.add("GET", "/api/cache/get", async (ctx) => {
    const key = stringField(ctx.query, "key");
    const value = await cache("get", (c) => c.get(key));
    return { key, found: value !== undefined, value: value ?? null };
  });
  router.add("GET", "/api/cache/ttl", async (ctx) => {
    const key = stringField(ctx.query, "key");
    const ttl = await cache("ttl", (c) => c.ttl(key));
    // The contract: undefined = no such key, null = never expires.
    return { key, found: ttl !== undefined, ttlMs: ttl ?? null };
  });
  router.add("GET", "/api/cache/keys", async (ctx) => {
    const match = ctx.query.match || undefined;
    const keys = await cache("keys", async (c) => {
      const out: string[] = [];
      for await (const key of c.keys(match ? { match } : undefined)) {
        out.push(key);
        if (out.length >= MAX_KEYS) break;
      }
      return out.sort();
    });
    return { keys, truncated: keys.length >= MAX_KEYS };
  });
  router.add("POST", "/api/cache/delete", async (ctx) => {
    const key = stringField(await ctx.body(), "key");
    return { key, deleted: await cache("delete", (c) => c.delete(key)) };
  });
  router.add("POST", "/api/cache/clear", async () => ({ removed: await cache("clear", (c) => c.clear()) }));
}
