import { describe, expect, it } from "vitest";
import { BackendError } from "../../errors.js";
import { Lifecycle } from "../../lifecycle.js";
import type { StoredRecord } from "../../records.js";
import type { RecordCollectionDriver, RecordDriver } from "./record-driver.js";
import { createRecordStore } from "./record-store.js";
import { upsertedRecord } from "./record-upsert.js";

// The least a driver may supply: no exists, no native query or count, only a scan. The
// layer must fill in the rest with the shared semantics.
function scanOnlyDriver(): { driver: RecordDriver; lifecycle: Lifecycle; fail: { next?: Error } } {
  const lifecycle = new Lifecycle("scan");
  const fail: { next?: Error } = {};
  const byId = new Map<string, StoredRecord>();
  const check = () => {
    const err = fail.next;
    fail.next = undefined;
    if (err) throw err;
  };
  const records: RecordCollectionDriver = {
    sharesObjects: true,
    store(input, expected) {
      check();
      const existing = byId.get(input.id);
      const record = upsertedRecord("scan", input, existing, undefined, "update", expected, new Date())!;
      byId.set(record.id, record);
      return record;
    },
    storeBatch(inputs) {
      for (const input of inputs)
        byId.set(input.id, upsertedRecord("scan", input, undefined, undefined, "update", undefined, new Date())!);
      return { inserted: inputs.length, updated: 0, skipped: 0 };
    },
    get: (id, layer) => {
      const r = byId.get(id);
      return r && (layer === undefined || r.layer === layer) ? r : null;
    },
    getByNaturalKey: (nk) => [...byId.values()].find((r) => r.naturalKey === nk) ?? null,
    delete: (id) => byId.delete(id),
    scan: async (layer) => [...byId.values()].filter((r) => layer === undefined || r.layer === layer),
    recordSighting: () => true,
    getSightings: () => [],
    clear: () => {
      const n = byId.size;
      byId.clear();
      return n;
    },
  };
  return { driver: { backend: "scan", lifecycle, collection: () => records }, lifecycle, fail };
}

describe("createRecordStore", () => {
  it("fills in exists, queries and counts over scan, with the shared paging", async () => {
    const { driver } = scanOnlyDriver();
    const store = createRecordStore(driver, "feed");
    await store.storeBatch(
      ["c", "a", "b"].map((id, i) => ({
        id,
        naturalKey: `nk:${id}`,
        layer: i === 0 ? "gold" : "bronze",
        content: { i },
      })),
    );
    expect(await store.exists("a")).toBe(true);
    expect(await store.exists("c", "bronze")).toBe(false);
    expect(await store.existsByNaturalKey("nk:b")).toBe(true);
    const first = await store.queryPage({ limit: 2 });
    expect(first.records.map((r) => r.id)).toEqual(["a", "b"]);
    const second = await store.queryPage({ limit: 2, after: first.next! });
    expect(second).toMatchObject({ records: [{ id: "c" }], next: null });
    expect(await store.count({ layer: "bronze" })).toBe(2);
    expect(await store.count({ where: { "content.i": { gte: 1 } } })).toBe(2);
  });

  it("hands out copies of a driver's shared objects", async () => {
    const { driver } = scanOnlyDriver();
    const store = createRecordStore(driver, "feed");
    const stored = await store.store({ id: "a", naturalKey: "nk:a", content: { tags: ["x"] } });
    (stored.content.tags as string[]).push("mutated");
    const [fromQuery] = (await store.queryPage()).records;
    (fromQuery!.content.tags as string[]).push("mutated");
    expect((await store.get("a"))?.content).toEqual({ tags: ["x"] });
  });

  it("maps a driver's unknown error to CONNECTION with passwords redacted, and keeps BackendErrors", async () => {
    const { driver, fail } = scanOnlyDriver();
    const store = createRecordStore(driver, "feed");
    fail.next = new Error("cannot reach postgres://app:s3cret@db/x");
    const err = await store.store({ id: "a", naturalKey: "nk:a", content: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: "CONNECTION" });
    expect((err as Error).message).toBe("[scan] records.store: cannot reach postgres://app:***@db/x");
    fail.next = new BackendError("CONFLICT", "taken", { backend: "scan" });
    await expect(store.store({ id: "a", naturalKey: "nk:a", content: {} })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("checks the closed state before the arguments, and rejects rather than throws", async () => {
    const { driver, lifecycle } = scanOnlyDriver();
    const store = createRecordStore(driver, "feed");
    await expect(store.get("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await lifecycle.close();
    const pending = store.get("");
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toMatchObject({ code: "CLOSED" });
    expect(() => createRecordStore(driver, "other")).toThrow(/closed/i);
  });
});
