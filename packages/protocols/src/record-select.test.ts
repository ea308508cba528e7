import { describe, expect, it } from "vitest";
import { normalizeCountQuery, normalizeQuery } from "./record-query-validation.js";
import { countMatching, selectPage } from "./record-select.js";
import type { Layer, RecordQuery, StoredRecord } from "./records.js";

const records: StoredRecord[] = Array.from({ length: 10 }, (_, i) => ({
  id: `r${i}`,
  naturalKey: `nk${i}`,
  layer: (["bronze", "silver", "gold"] as Layer[])[i % 3]!,
  content: { n: i % 4 },
  metadata: {},
  createdAt: new Date(i),
  updatedAt: new Date(i),
  version: 1,
}));

const select = (q: RecordQuery) => selectPage(records, normalizeQuery("test", q, 1000));

describe("selectPage", () => {
  it("filters, orders, skips and limits", () => {
    const page = select({ where: { "content.n": { lt: 2 } }, orderBy: "-content.n", offset: 1, limit: 3 });
    expect(page.records.map((r) => r.id)).toEqual(["r5", "r1", "r8"]);
    expect(select({ layer: "gold" }).records.map((r) => r.id)).toEqual(["r2", "r5", "r8"]);
  });

  it("gives a next cursor exactly when records follow the page", () => {
    const first = select({ limit: 5 });
    expect(first.next).not.toBeNull();
    const second = select({ limit: 5, after: first.next! });
    expect(second.records.map((r) => r.id)).toEqual(["r5", "r6", "r7", "r8", "r9"]);
    expect(second.next).toBeNull();
    expect(select({ limit: 10 }).next).toBeNull();
    expect(select({ offset: 20 })).toEqual({ records: [], next: null });
  });

  it("countMatching counts layer and conditions", () => {
    expect(countMatching(records, normalizeCountQuery("test", { where: { "content.n": 0 } }))).toBe(3);
    expect(countMatching(records, normalizeCountQuery("test", { layer: "bronze" }))).toBe(4);
  });
});
