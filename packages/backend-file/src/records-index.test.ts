import { normalizeQuery, type RecordQuery, type StoredRecord, selectPage } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { IdIndex, selectPageById } from "./records-index.js";

function record(id: string, n: number): StoredRecord {
  const at = new Date(1_700_000_000_000 + n);
  return {
    id,
    naturalKey: `nk-${id}`,
    layer: n % 3 === 0 ? "gold" : "bronze",
    content: { n: n % 7 },
    metadata: {},
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

// A deterministic pseudo-random sequence (no flaky seeds).
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe("IdIndex + selectPageById", () => {
  it("pages exactly like selectPage for id orderings, filters, offsets and cursors", () => {
    const random = lcg(7);
    const byId = new Map<string, StoredRecord>();
    const index = new IdIndex();
    // Ids out of order, with astral and BMP-private characters (code-point order differs from UTF-16).
    const alphabet = ["a", "b", "Z", "\u{1F600}", "\uE000", "0"];
    for (let n = 0; n < 300; n++) {
      let id = "";
      const length = 1 + Math.floor(random() * 4);
      for (let i = 0; i < length; i++) id += alphabet[Math.floor(random() * alphabet.length)];
      if (byId.has(id)) {
        if (random() < 0.5) {
          byId.delete(id);
          index.remove(id);
        }
        continue;
      }
      byId.set(id, record(id, n));
      index.add(id);
    }
    const queries: RecordQuery[] = [
      { limit: 10 },
      { limit: 7, orderBy: "-id" },
      { limit: 5, layer: "gold" },
      { limit: 4, offset: 3, where: { "content.n": { gte: 3 } } },
      { limit: 6, orderBy: "-id", layer: "bronze", offset: 1 },
    ];
    for (const q of queries) {
      let after: string | undefined;
      let pages = 0;
      do {
        const normalized = normalizeQuery("file", { ...q, after }, 1000);
        const expected = selectPage(byId.values(), normalized);
        const actual = selectPageById(index.ids(), byId, normalized);
        expect(actual.records.map((r) => r.id)).toEqual(expected.records.map((r) => r.id));
        expect(actual.next).toBe(expected.next);
        after = actual.next ?? undefined;
        pages++;
      } while (after !== undefined);
      expect(pages).toBeGreaterThan(1);
    }
  });

  it("keeps ids sorted across out-of-order inserts and removals", () => {
    const index = new IdIndex();
    for (const id of ["m", "c", "x", "a", "q"]) index.add(id);
    index.remove("x");
    index.add("b");
    expect(index.ids()).toEqual(["a", "b", "c", "m", "q"]);
  });
});
