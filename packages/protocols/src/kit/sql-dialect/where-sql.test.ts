import { describe, expect, it } from "vitest";
import { compileFilter } from "../../filter.js";
import { named } from "./named-dialect.fixture.js";
import { SqlParams } from "./sql-params.js";
import { whereSql } from "./where-sql.js";

function where(filter: unknown, layer?: "gold") {
  const p = new SqlParams((n) => `$${n}`);
  return { text: whereSql(named, p, "ns1", layer, compileFilter(filter)), params: p.values };
}

describe("whereSql", () => {
  it("starts with the namespace and layer", () => {
    expect(where({}, "gold")).toEqual({ text: "ns = $1 AND layer = $2", params: ["ns1", "gold"] });
  });

  it("asks the dialect only for operands of the field's own type; the rest are constants without parameters", () => {
    const d = new Date(0);
    expect(
      where({
        id: 5,
        createdAt: "x",
        layer: { prefix: "g" },
        updatedAt: { prefix: "2" },
        naturalKey: { exists: false },
      }),
    ).toEqual({ text: "ns = $1 AND F AND F AND layer PREFIX $2 AND F AND F", params: ["ns1", "g"] });
    expect(where({ createdAt: { gte: d }, id: { in: ["a", 1, null] } })).toEqual({
      text: "ns = $1 AND createdAt >= $2 AND id IN $3",
      params: ["ns1", d, ["a"]],
    });
  });

  it("JSON fields: presence, eq null, type-strict operands, Dates never match, empty in is false", () => {
    expect(
      where({
        "content.a": { exists: true },
        "content.b": null,
        "metadata.c": { ne: true },
        "content.d": new Date(0),
        "content.e": { in: [null, new Date(0)] },
        "content.f": { in: [1, "1", null] },
      }).text,
    ).toBe(
      "ns = $1 AND present(content.a) AND absent(content.b) AND boolean(metadata.c) <> $2 AND F AND F AND content.f IN $3",
    );
  });
});
