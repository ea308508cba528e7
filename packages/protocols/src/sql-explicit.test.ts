import { describe, expect, it } from "vitest";
import { AsyncMutex } from "./async-mutex.js";
import { codeOf } from "./error-code.fixture.js";
import type { TypeMapper } from "./sql.js";
import { applyExecuteOptions, checkExecuteOptions } from "./sql-execute.js";
import { SavepointNames } from "./sql-savepoints.js";
import { checkBeginOptions } from "./sql-transaction.js";
import { SqlTypeRegistry } from "./sql-type-registry.js";

const base: TypeMapper = {
  columnType: (type) => `base_${type}`,
  toDatabase: (value) => value,
  fromDatabase: (value, type) => (type === "boolean" ? value === 1 : value),
};

describe("AsyncMutex.acquire", () => {
  it("holds the lock until released; waiters run in order; release is idempotent", async () => {
    const mutex = new AsyncMutex();
    const release = await mutex.acquire();
    const order: string[] = [];
    const waiting = mutex.run(() => order.push("run"));
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    release();
    await waiting;
    expect(order).toEqual(["run"]);
    expect(mutex.locked).toBe(false);
  });
});

describe("SavepointNames", () => {
  it("validates names, lower-cases them and tracks rollbackTo/release", () => {
    const names = new SavepointNames("test");
    for (const bad of ["", "1a", "a b", 'a"', "x".repeat(64), 3]) {
      expect(codeOf(() => names.check(bad))).toBe("INVALID_ARGUMENT");
    }
    for (const key of ["a", "b", "c"]) names.opened(names.check(key.toUpperCase()));
    names.rolledBackTo("b");
    expect(codeOf(() => names.assertKnown("c"))).toBe("INVALID_ARGUMENT");
    names.assertKnown("b");
    names.released("a");
    expect(codeOf(() => names.assertKnown("a"))).toBe("INVALID_ARGUMENT");
  });
});

describe("checkBeginOptions", () => {
  it("takes the transaction options without retries", () => {
    expect(checkBeginOptions("test", { readOnly: true })).toEqual({
      isolationLevel: undefined,
      readOnly: true,
      retries: 0,
    });
    expect(codeOf(() => checkBeginOptions("test", { retries: 1 } as never))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => checkBeginOptions("test", { isolationLevel: "x" as never }))).toBe("INVALID_ARGUMENT");
  });
});

describe("SqlTypeRegistry and execute options", () => {
  it("delegates portable types and converts registered ones", () => {
    const types = new SqlTypeRegistry("test", base);
    types.register("upper", { columnType: "TEXT", toDriver: (v: string) => v.toUpperCase(), fromDriver: String });
    expect(types.columnType("text")).toBe("base_text");
    expect(types.columnType("upper")).toBe("TEXT");
    expect(types.toDatabase("ab", "upper")).toBe("AB");
    expect(types.toDatabase(null, "upper")).toBeNull();
    expect(codeOf(() => types.toDatabase(undefined, "upper"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => types.toDatabase(5, "upper"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => types.register("upper", { columnType: "x", toDriver: String, fromDriver: String }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(types.has("upper") && types.has("json") && !types.has("nope")).toBe(true);
  });

  it("converts columnTypes and reads lastInsertId from the returning column", () => {
    const types = new SqlTypeRegistry("test", base);
    const checked = checkExecuteOptions(
      "test",
      { returning: "id", columnTypes: { ok: "boolean" } },
      types,
      "insert … returning id, ok",
    );
    const result = applyExecuteOptions(
      {
        rows: [
          { id: 1, ok: 1 },
          { id: 2, ok: 0 },
        ],
        affectedRows: 2,
      },
      checked,
      types,
    );
    expect(result).toEqual({
      rows: [
        { id: 1, ok: true },
        { id: 2, ok: false },
      ],
      affectedRows: 2,
      lastInsertId: 2,
    });
    expect(codeOf(() => checkExecuteOptions("test", { returning: "id" }, types, "insert into t values (1)"))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => checkExecuteOptions("test", { columnTypes: { a: "nope" } }, types, "select 1"))).toBe(
      "INVALID_ARGUMENT",
    );
  });
});
