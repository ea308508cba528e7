import { describeRecordStoreConformance } from "@core/conformance";
import type { RecordQuery } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { openMemoryBackend } from "./index.js";

describeRecordStoreConformance({ name: "memory", open: () => openMemoryBackend() });

describe("memory record store indexes", () => {
  it("undoes index changes of a batch that fails, and keeps them through layer moves", async () => {
    const backend = await openMemoryBackend();
    const store = backend.records("rollback");
    await store.store({ id: "b", naturalKey: "nk:b", layer: "gold", content: {} });
    await expect(
      store.storeBatch([
        { id: "a", naturalKey: "nk:a", layer: "gold", content: {} },
        { id: "b", naturalKey: "nk:b2", layer: "silver", content: {} },
        { id: "c", naturalKey: "nk:a", content: {} },
      ]),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const ids = async (query: RecordQuery) => (await store.queryPage(query)).records.map((r) => r.id);
    expect(await ids({})).toEqual(["b"]);
    expect(await ids({ layer: "gold" })).toEqual(["b"]);
    expect(await ids({ layer: "silver" })).toEqual([]);
    expect(await store.getByNaturalKey("nk:b")).toMatchObject({ id: "b", layer: "gold" });
    expect(await store.existsByNaturalKey("nk:b2")).toBe(false);
    await store.store({ id: "b", naturalKey: "nk:b", layer: "silver", content: {} });
    expect(await ids({ layer: "gold" })).toEqual([]);
    expect(await ids({ layer: "silver", orderBy: "-id" })).toEqual(["b"]);
    expect(await store.delete("b")).toBe(true);
    expect(await ids({ layer: "silver" })).toEqual([]);
    expect(await store.count({ layer: "silver" })).toBe(0);
    await backend.close();
  });
});
