import type { Cache } from "@core/protocols";
import { type BackendKind, openTestBackend } from "@core/test-backends";
import keyvTestSuite from "@keyv/test-suite";
import Keyv from "keyv";
import * as vitest from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyvStore } from "./index.js";

/**
 * Runs the real `@keyv/test-suite` (its default suite: API, values, namespaces) and this
 * package's own checks (lossless raw values, TTL and batch mapping, namespace `clear`,
 * `iterator`) against a Keyv over a cache of `kind`.
 *
 * @example
 * ```ts
 * describeKeyvStore("sqlite");
 * ```
 */
export function describeKeyvStore(kind: BackendKind): void {
  let cache: Cache<unknown>;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const opened = await openTestBackend(kind, "keyv");
    dispose = opened.dispose;
    cache = opened.backend.cache("keyv");
  });
  afterAll(async () => {
    await cache?.clear();
    await dispose?.();
  });

  describe(`@keyv/test-suite on ${kind}`, () => {
    // The suite takes the test API as an argument, so it runs on our vitest 4.1.
    keyvTestSuite(vitest, Keyv, () => keyvStore(cache));
  });

  describe(`@core/keyv on ${kind}`, () => {
    it("stores Keyv's raw { value, expires } losslessly when Keyv's serializer is off", async () => {
      const keyv = new Keyv({
        store: keyvStore(cache),
        namespace: "raw",
        serialize: undefined,
        deserialize: undefined,
      });
      const value = {
        at: new Date(1_700_000_000_000),
        tags: new Set(["a"]),
        big: 2n ** 70n,
        bytes: new Uint8Array([0, 255]),
      };
      await keyv.set("v", value);
      expect(await keyv.get("v")).toEqual(value);
      expect(await cache.get("raw:v")).toEqual({ value, expires: undefined });
    });

    it("maps Keyv's TTL in ms onto the cache TTL, and no TTL onto no expiry", async () => {
      const keyv = new Keyv({ store: keyvStore(cache), namespace: "ttl" });
      await keyv.set("short", 1, 60_000);
      await keyv.set("forever", 2);
      const left = await cache.ttl("ttl:short");
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(60_000);
      expect(await cache.ttl("ttl:forever")).toBeNull();
    });

    it("rejects a bad TTL with the backend's INVALID_ARGUMENT before writing", async () => {
      const keyv = new Keyv({ store: keyvStore(cache), namespace: "bad", throwOnErrors: true });
      await expect(keyv.set("k", 1, -5)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(await cache.has("bad:k")).toBe(false);
    });

    it("sends batches through setMany, getMany, hasMany and deleteMany", async () => {
      const keyv = new Keyv({ store: keyvStore(cache), namespace: "batch" });
      expect(
        await keyv.setMany([
          { key: "a", value: 1 },
          { key: "b", value: 2, ttl: 60_000 },
        ]),
      ).toEqual([true, true]);
      expect(await keyv.get(["a", "b", "c"])).toEqual([1, 2, undefined]);
      expect(await keyv.has(["a", "c"])).toEqual([true, false]);
      expect(await keyv.delete(["a", "b"])).toBe(true);
      expect(await keyv.delete(["a", "b"])).toBe(false);
    });

    it("clear() removes only its namespace; without a namespace it clears the cache", async () => {
      const one = new Keyv({ store: keyvStore(cache), namespace: "n*1" });
      const two = new Keyv({ store: keyvStore(cache), namespace: "nx1" });
      await one.set("k", 1);
      await two.set("k", 2);
      await one.clear();
      expect(await one.get("k")).toBeUndefined();
      expect(await two.get("k")).toBe(2);
      const whole = new Keyv({ store: keyvStore(cache), namespace: "" });
      await whole.clear();
      expect(await two.get("k")).toBeUndefined();
    });

    it("iterator() yields every stored entry of a namespace, in batches", async () => {
      const store = keyvStore(cache, { batchSize: 2 });
      const keyv = new Keyv({ store, namespace: "it" });
      await keyv.setMany([1, 2, 3, 4, 5].map((n) => ({ key: `k${n}`, value: n })));
      await new Keyv({ store: keyvStore(cache), namespace: "other" }).set("k1", 0);
      const seen = new Map<string, unknown>();
      for await (const [key, raw] of store.iterator("it")) seen.set(key, JSON.parse(raw as string).value);
      expect(Object.fromEntries(seen)).toEqual({ "it:k1": 1, "it:k2": 2, "it:k3": 3, "it:k4": 4, "it:k5": 5 });
    });
  });
}
