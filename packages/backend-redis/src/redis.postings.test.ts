import type { RecordQuery, RecordStore } from "@core/protocols";
import { parseField } from "@core/protocols/kit";
import { describe, expect, it } from "vitest";
import { openRedisBackend } from "./index.js";
import { namespaceKey } from "./keys.js";
import { postingSuffixes } from "./records-postings.js";
import { REDIS_URL, useRedisAdmin } from "./redis.fixture.js";

const { prefix, admin } = useRedisAdmin("postings");

const base = (name: string) => namespaceKey(prefix, "r", name);

async function keys(pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, page] = await admin().scan(cursor, "MATCH", pattern, "COUNT", 1000);
    out.push(...page);
    cursor = next;
  } while (cursor !== "0");
  return out.sort();
}

const postingKeys = (name: string) => keys(`${base(name)}:p:*`);

const ids = async (store: RecordStore, q: RecordQuery) => (await store.queryPage(q)).records.map((r) => r.id);

async function fill(store: RecordStore, n: number): Promise<void> {
  await store.storeBatch(
    Array.from({ length: n }, (_, i) => ({
      id: `r${String(i).padStart(3, "0")}`,
      naturalKey: `k${(i * 7) % n}`,
      layer: (["bronze", "silver", "gold"] as const)[i % 3],
      content: { tag: i % 20 === 0 ? "rare" : "common", i },
    })),
  );
}

describe("equality postings", () => {
  it("index exactly the keys a filter path can name", () => {
    const names = ["a", "A-z_9", "x".repeat(64), "x".repeat(65), "a b", "é", "", "a/b", "0"];
    for (const name of names) {
      let nameable = true;
      try {
        parseField(`content.${name}`);
      } catch {
        nameable = false;
      }
      expect(postingSuffixes({ [name]: 1 }, {}).length, name).toBe(nameable ? 1 : 0);
    }
    // Arrays are neither matched nor descended; null is "missing"; objects are descended.
    expect(postingSuffixes({ l: [1], z: null, o: { k: "v", d: { b: false } } }, { m: 0 })).toHaveLength(3);
  });

  it("a selective page and count read only the records of their posting", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = backend.records("selective");
    await fill(store, 60);
    // Every record outside the "rare" posting becomes unreadable: reading one fails.
    for (let i = 0; i < 60; i++) {
      if (i % 20 !== 0) await admin().hset(`${base("selective")}:rec:r${String(i).padStart(3, "0")}`, "content", "{");
    }
    const where = { "content.tag": "rare" };
    expect(await store.count({ where })).toBe(3);
    expect(await store.count({ where, layer: "silver" })).toBe(1);
    expect(await store.count({ where: { ...where, "content.i": { gte: 20 } } })).toBe(2);
    for (const orderBy of ["id", "-naturalKey", "-createdAt", "updatedAt"] as const) {
      expect((await ids(store, { where, orderBy })).sort(), orderBy).toEqual(["r000", "r020", "r040"]);
      expect(await ids(store, { where: { ...where, "content.i": { lt: 30 } }, layer: "gold", orderBy })).toEqual([
        "r020",
      ]);
    }
    // A filter the postings do not serve scans the index and meets the unreadable records.
    await expect(store.count({ where: { "content.tag": { prefix: "ra" } } })).rejects.toThrow();
  });

  it("postings leave with the values and records that held them; clear removes them all", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = backend.records("leave");
    await fill(store, 6);
    // Two tags plus one posting per distinct i.
    expect(await postingKeys("leave")).toHaveLength(8);
    await store.store({ id: "r000", naturalKey: "k0", content: { tag: "common" } });
    expect(await postingKeys("leave")).toHaveLength(6);
    for (let i = 1; i < 6; i++) await store.delete(`r00${i}`);
    expect(await postingKeys("leave")).toHaveLength(1);
    await store.clear();
    expect(await keys(`${base("leave")}:*`)).toEqual([]);
  });

  it("a collection written before the postings gets them on its first filtered query", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const name = "legacy";
    await fill(backend.records(name), 1200);
    // The layout of the version before postings: no marker, no postings, no posting lists.
    await admin().unlink(`${base(name)}:postings`, ...(await postingKeys(name)), ...(await keys(`${base(name)}:x:*`)));
    // A later write to the non-empty collection does not mark it complete.
    const store = backend.records(name);
    await store.store({ id: "r001", naturalKey: "k7", layer: "silver", content: { tag: "rare", i: 1 } });
    expect(await admin().get(`${base(name)}:postings`)).toBeNull();

    await using other = await openRedisBackend({ url: REDIS_URL, prefix });
    const reopened = other.records(name);
    const where = { "content.tag": "rare" };
    expect(await reopened.count({ where })).toBe(61);
    expect(await admin().get(`${base(name)}:postings`)).toBe("1");
    expect(await reopened.count({ where, layer: "silver" })).toBe(21);
    expect((await ids(reopened, { where, limit: 3 })).sort()).toEqual(["r000", "r001", "r020"]);
    expect(await ids(reopened, { where: { "content.i": 1199 } })).toEqual(["r1199"]);
    // Built postings leave with their values like written ones.
    await reopened.store({ id: "r020", naturalKey: "k140", content: { tag: "common", i: 20 } });
    expect(await reopened.count({ where })).toBe(60);
  });

  it("a collection of layout 3 moves the posting lists out of its record hashes on its first query", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const name = "lists";
    await fill(backend.records(name), 30);
    // What layout 3 left: its marker, and each record's posting list in its hash's `px`.
    await admin().set(`${base(name)}:layout`, "3");
    for (const key of await keys(`${base(name)}:x:*`)) {
      const id = key.slice(`${base(name)}:x:`.length);
      await admin().hset(`${base(name)}:rec:${id}`, "px", (await admin().get(key)) as string);
      await admin().unlink(key);
    }
    await using other = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = other.records(name);
    // Before the first query, writes take the old postings from the hash.
    await store.store({ id: "r000", naturalKey: "k0", content: { tag: "common", i: 0 } });
    expect(await store.delete("r020")).toBe(true);
    expect(await store.count({ where: { "content.tag": "rare" } })).toBe(0);
    expect(await store.count({ where: { "content.i": 20 } })).toBe(0);
    // Written again unchanged (alone and in a batch), a record's list still leaves the hash.
    await store.store({ id: "r002", naturalKey: "k14", layer: "gold", content: { tag: "common", i: 2 } });
    await store.storeBatch([
      { id: "r003", naturalKey: "k21", content: { tag: "common", i: 3 } },
      { id: "r004", naturalKey: "k28", layer: "silver", content: { tag: "common", i: 4 } },
    ]);

    const page = await store.queryPage({ orderBy: "id", limit: 50 });
    expect(page.records).toHaveLength(29);
    expect(page.records[1]).toMatchObject({ id: "r001", naturalKey: "k7", content: { tag: "common", i: 1 } });
    expect(await admin().get(`${base(name)}:layout`)).toBe("5");
    const hashes = await keys(`${base(name)}:rec:*`);
    for (const key of hashes) expect(await admin().hexists(key, "px")).toBe(0);
    // A hash of eight short fields gets Redis's compact encoding once written anew.
    expect(await admin().object("ENCODING", hashes[0]!)).toBe("listpack");
    expect(await keys(`${base(name)}:x:*`)).toHaveLength(29);
    expect(await ids(store, { where: { "content.i": 1 } })).toEqual(["r001"]);
    expect(await store.delete("r002")).toBe(true);
    expect(await store.count({ where: { "content.i": 2 } })).toBe(0);
    await store.store({ id: "r001", naturalKey: "k7", content: { tag: "rare", i: 1 } });
    expect(await ids(store, { where: { "content.tag": "rare" } })).toEqual(["r001"]);
    expect(await store.delete("r001")).toBe(true);
    expect(await admin().exists(`${base(name)}:x:r001`)).toBe(0);
  });
});
