import type { Cache, CacheOptions } from "@core/protocols";
import { describeCacheConformance } from "../../src/index.js";
import { brokenBackend, override } from "./override.js";

describeCacheConformance({
  name: "broken: cache ignores TTL",
  open: () =>
    brokenBackend((b) => ({
      cache: <V>(name: string, options?: CacheOptions) => {
        const inner = b.cache<V>(name, { ...options, defaultTtlMs: undefined });
        return override<Cache<V>>(inner, {
          set: (key, value) => inner.set(key, value),
          add: (key, value) => inner.add(key, value),
          setMany: (entries) => inner.setMany(entries.map(({ key, value }) => ({ key, value }))),
        });
      },
    })),
});
