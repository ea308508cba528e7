import { describe, expect, it } from "vitest";
import { CACHE_SQL } from "./cache-sql.js";
import { arrange, positional } from "./positional.js";
import { QUEUE_SQL } from "./queue-sql.js";

describe("positional parameters", () => {
  it("turns numbered slots and $now into ? in order, a repeated slot twice", () => {
    const { sql, order } = positional("SELECT $1, ?2 + $now, $1");
    expect(sql).toBe("SELECT ?, ? + ?, ?");
    expect(order).toEqual([0, 1, -1, 0]);
    expect(arrange(order!, ["a", "b"], 7)).toEqual(["a", "b", 7, "a"]);
  });

  it("leaves a text of bare ? alone", () => {
    expect(positional("SELECT ? WHERE x = ?")).toEqual({ sql: "SELECT ? WHERE x = ?", order: undefined });
  });

  it("refuses a text mixing bare and numbered parameters", () => {
    expect(() => positional("SELECT ?1, ?")).toThrow(/mixes/);
  });

  it("accepts every statement of the cache and the queue", () => {
    const texts = [...Object.values(CACHE_SQL), ...Object.values(QUEUE_SQL)].flat();
    for (const text of texts) if (typeof text === "string") expect(() => positional(text)).not.toThrow();
  });
});
