import type { Backend, RecordStore } from "@core/protocols";
import { expect, it } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { collect, expectCode, type RecordsContext, rec } from "./context.js";

const CALLS: [string, (s: RecordStore) => unknown][] = [
  ["store", (s) => s.store(rec("a"))],
  ["storeBatch", (s) => s.storeBatch([rec("b")])],
  ["promote", (s) => s.promote("a", "gold")],
  ["get", (s) => s.get("a")],
  ["getByNaturalKey", (s) => s.getByNaturalKey("nk:a")],
  ["exists", (s) => s.exists("a")],
  ["existsByNaturalKey", (s) => s.existsByNaturalKey("nk:a")],
  ["delete", (s) => s.delete("a")],
  ["query", (s) => collect(() => s.query())],
  ["queryPage", (s) => s.queryPage()],
  ["count", (s) => s.count()],
  ["recordSighting", (s) => s.recordSighting({ naturalKey: "k", source: "s" })],
  ["getSightings", (s) => s.getSightings("k")],
  ["clear", (s) => s.clear()],
];

async function withClient<T>(ctx: RecordsContext, fn: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await ctx.options.open();
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

/**
 * close → CLOSED, persistence across reopen, and other clients of the same storage
 * (PROTOCOLS.md §0, §3).
 *
 * @example
 * ```ts
 * describe("clients", () => registerRecordClients(ctx));
 * ```
 */
export function registerRecordClients(ctx: RecordsContext): void {
  it("every method rejects with CLOSED after close, and so does backend.records()", async () => {
    const backend = await ctx.options.open();
    const store = backend.records(freshName("records"));
    await store.store(rec("a"));
    await backend.close();
    await backend.close();
    for (const [name, call] of CALLS) {
      await expectCode(async () => call(store), "CLOSED").catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
    }
    await expectCode(async () => {
      const late = backend.records(freshName("records"));
      await late.count();
    }, "CLOSED");
  });

  it("after close, a call with bad arguments rejects with CLOSED: the closed state is checked first", async () => {
    const backend = await ctx.options.open();
    const store = backend.records(freshName("records"));
    await backend.close();
    const bad: [string, (s: RecordStore) => unknown][] = [
      ["store", (s) => s.store({ id: "", naturalKey: "nk", content: {} })],
      ["storeBatch", (s) => s.storeBatch([{ id: "a", naturalKey: "nk", content: [] as never }])],
      ["get", (s) => s.get("a", "platinum" as never)],
      ["getByNaturalKey", (s) => s.getByNaturalKey("")],
      ["exists", (s) => s.exists(42 as never)],
      ["existsByNaturalKey", (s) => s.existsByNaturalKey(null as never)],
      ["delete", (s) => s.delete("")],
      ["queryPage", (s) => s.queryPage({ limit: -1 })],
      ["count", (s) => s.count({ where: { nope: 1 } } as never)],
      ["recordSighting", (s) => s.recordSighting({ naturalKey: "k", source: "" })],
      ["getSightings", (s) => s.getSightings("")],
    ];
    for (const [name, call] of bad) {
      await expectCode(async () => call(store), "CLOSED").catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
    }
  });

  it("close waits for in-flight writes", async () => {
    const name = freshName("records");
    const backend = await ctx.options.open();
    const store = backend.records(name);
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.store(rec(`r${i}`)).then(
        () => "ok",
        (e: Error) => e,
      ),
    );
    await backend.close();
    const results = await Promise.all(writes);
    // Calls accepted before close() finish normally: close waits for them.
    expect(results).toEqual(writes.map(() => "ok"));
  });

  describeCapability(ctx.caps.persistent, "persistent", () => {
    it("records and sightings survive closing and reopening", async () => {
      const name = freshName("records");
      const stored = await withClient(ctx, async (backend) => {
        const store = backend.records(name);
        await store.recordSighting({ naturalKey: "nk:a", source: "s", contentHash: "h" });
        await store.store(rec("b", {}, { layer: "gold" }));
        return store.store(rec("a", { title: "kept", n: [1, { x: null }] }, { metadata: { m: true } }));
      });
      await withClient(ctx, async (backend) => {
        const store = backend.records(name);
        expect(await store.get("a")).toEqual(stored);
        expect(await store.count({ layer: "gold" })).toBe(1);
        expect(await store.getSightings("nk:a")).toMatchObject([{ source: "s", contentHash: "h" }]);
        expect(await store.recordSighting({ naturalKey: "nk:a", source: "s" })).toBe(false);
        expect((await store.store(rec("a"))).version).toBe(2);
      });
    });
  });
  if (!ctx.caps.persistent) {
    it("a backend opened again is usable (no persistence claimed)", async () => {
      await withClient(ctx, async (backend) => {
        const store = backend.records(freshName("records"));
        expect((await store.store(rec("a"))).version).toBe(1);
        expect(await store.count()).toBe(1);
      });
    });
  }

  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    it("another client sees writes and shares natural-key uniqueness and versions", async () => {
      const store = ctx.store();
      await withClient(ctx, async (backend) => {
        const other = backend.records(store.name);
        await store.store(rec("a", { v: 1 }));
        expect((await other.get("a"))?.content).toEqual({ v: 1 });
        await expectCode(() => other.store({ id: "b", naturalKey: "nk:a", content: {} }), "CONFLICT");
        await expectCode(() => other.store(rec("a", { v: 2 }), { expectedVersion: 0 }), "CONFLICT");
        expect((await other.store(rec("a", { v: 2 }), { expectedVersion: 1 })).version).toBe(2);
        expect((await store.get("a"))?.version).toBe(2);
      });
    });

    it("exactly one concurrent sighting of a new key is true across two clients", async () => {
      const store = ctx.store();
      await withClient(ctx, async (backend) => {
        const other = backend.records(store.name);
        for (let round = 0; round < 3; round++) {
          const naturalKey = `race-${round}`;
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (i % 2 ? other : store).recordSighting({ naturalKey, source: `s${i}` }),
            ),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          expect(await other.getSightings(naturalKey)).toHaveLength(20);
        }
      });
    });
  });
}
