import { describe, expect, it } from "vitest";
import { normalizeQuery } from "../../record-query-validation.js";
import { named as namedFilters } from "../sql-dialect/named-dialect.fixture.js";
import { SqlParams } from "../sql-dialect/sql-params.js";
import { pageSql } from "./record-statements.js";
import type { SqlRecordDialect } from "./sql-record-dialect.js";

// The filter dialect that names its primitives, plus record hooks that name theirs.
const named: SqlRecordDialect = {
  ...namedFilters,
  params: () => new SqlParams(() => "?"),
  records: "t",
  sightings: "s",
  select: "*",
  key: (k) => k,
  toRecord: () => {
    throw new Error("not read");
  },
  toSighting: () => {
    throw new Error("not read");
  },
  sortColumn: (f) => f.root,
  jsonRank: (_p, f) => `rank(${f.path.join(".")})`,
  jsonSortValues: (_p, f) => [`b(${f.path.join(".")})`, `s(${f.path.join(".")})`],
  jsonSortValue: (_p, f, rank) => `v${rank}(${f.path.join(".")})`,
  jsonSortOperand: (p, _rank, v) => p.add(v),
  integer: (p, n) => p.add(n),
};

function page(orderBy: string, after?: { value: unknown; id: string }) {
  const query = { ...normalizeQuery("t", { orderBy: orderBy as never, limit: 10 }, 100), after: after as never };
  const { text, p } = pageSql(named, "ns1", query);
  return { text: text.slice("SELECT * FROM t WHERE ns = ?".length, -" LIMIT ? OFFSET ?".length), params: p.values };
}

describe("pageSql: the keyset condition and ORDER BY of an ordering", () => {
  it("unique columns sort alone; other columns break ties by id in their own direction", () => {
    expect(page("-naturalKey").text).toBe(" ORDER BY naturalKey DESC");
    expect(page("createdAt").text).toBe(" ORDER BY createdAt ASC, id ASC");
    expect(page("-content.score").text).toBe(" ORDER BY rank(score) DESC, b(score) DESC, s(score) DESC, id DESC");
  });

  it("after a column position: a range that leads with >= or <=, values in text order", () => {
    const d = new Date(5);
    expect(page("-createdAt", { value: d, id: "x" })).toEqual({
      text: " AND (createdAt <= ? AND (createdAt < ? OR id < ?)) ORDER BY createdAt DESC, id DESC",
      params: ["ns1", d, d, "x", 11, 0],
    });
    // By id, the value itself is after the cursor only when it sorts after the cursor's id.
    expect(page("id", { value: "b", id: "a" }).text).toBe(" AND id >= ? ORDER BY id ASC");
    expect(page("id", { value: "a", id: "a" }).text).toBe(" AND id > ? ORDER BY id ASC");
    // A cursor value of another type than the column: every row is after it, or none.
    expect(page("createdAt", { value: "s", id: "a" }).text).toBe(" AND F ORDER BY createdAt ASC, id ASC");
    expect(page("-createdAt", { value: "s", id: "a" }).text).toBe(" AND T ORDER BY createdAt DESC, id DESC");
  });

  it("after a JSON position: rank, then the value of the cursor's rank, then id", () => {
    expect(page("-content.score", { value: 5, id: "x" })).toEqual({
      text: " AND (rank(score) < 2 OR (rank(score) = 2 AND (v2(score) < ? OR (v2(score) = ? AND id < ?)))) ORDER BY rank(score) DESC, b(score) DESC, s(score) DESC, id DESC",
      params: ["ns1", 5, 5, "x", 11, 0],
    });
    expect(page("content.score", { value: null, id: "x" }).text).toMatch(
      /^ AND \(rank\(score\) > 0 OR \(rank\(score\) = 0 AND id > \?\)\) ORDER BY/,
    );
  });
});
