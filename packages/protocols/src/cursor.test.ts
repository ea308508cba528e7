import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, isAfterCursor } from "./cursor.js";
import { BackendError } from "./errors.js";
import { compareRecords, parseOrderBy } from "./filter.js";
import type { StoredRecord } from "./records.js";

function rec(id: string, content: Record<string, unknown>, createdAt = new Date(0)): StoredRecord {
  return {
    id,
    naturalKey: `nk-${id}`,
    layer: "bronze",
    content,
    metadata: {},
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
}

function expectInvalid(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(BackendError.is(error, "INVALID_ARGUMENT"), String(error)).toBe(true);
}

function pageThrough(records: StoredRecord[], orderBy: string, size: number): string[] {
  const ordering = parseOrderBy(orderBy);
  const sorted = [...records].sort((a, b) => compareRecords(a, b, ordering));
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const position = cursor === undefined ? undefined : decodeCursor(cursor, ordering);
    const page = sorted.filter((r) => position === undefined || isAfterCursor(r, position, ordering)).slice(0, size);
    if (page.length === 0) return seen;
    seen.push(...page.map((r) => r.id));
    cursor = encodeCursor(ordering, page.at(-1)!);
  }
  throw new Error("paging did not end");
}

describe("cursors", () => {
  it("round-trip the ordering value and id (Dates stay Dates, missing becomes null)", () => {
    const record = rec("r1", { s: "é\u{1F600}", n: 2.5 }, new Date(1234));
    const byDate = parseOrderBy("-createdAt");
    expect(decodeCursor(encodeCursor(byDate, record), byDate)).toEqual({
      field: "createdAt",
      descending: true,
      value: new Date(1234),
      id: "r1",
    });
    const byString = parseOrderBy("content.s");
    expect(decodeCursor(encodeCursor(byString, record), byString).value).toBe("é\u{1F600}");
    const byMissing = parseOrderBy("content.missing");
    expect(decodeCursor(encodeCursor(byMissing, record), byMissing).value).toBeNull();
  });

  it("encode objects and arrays as {} so content can never pose as a Date", () => {
    const ordering = parseOrderBy("content.o");
    for (const o of [{ $date: 5 }, [1, 2, 3], { big: "x".repeat(10_000) }]) {
      const cursor = encodeCursor(ordering, rec("a", { o }));
      expect(cursor.length).toBeLessThan(100);
      expect(decodeCursor(cursor, ordering).value).toEqual({});
    }
  });

  it("are URL-safe strings", () => {
    const cursor = encodeCursor(parseOrderBy("id"), rec("a/b+c?=\u{1F600}", {}));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("are rejected for another field or direction", () => {
    const cursor = encodeCursor(parseOrderBy("content.n"), rec("a", { n: 1 }));
    expectInvalid(() => decodeCursor(cursor, parseOrderBy("-content.n")));
    expectInvalid(() => decodeCursor(cursor, parseOrderBy("content.m")));
    expectInvalid(() => decodeCursor(cursor, parseOrderBy("id")));
    expect(decodeCursor(cursor, parseOrderBy("content.n")).value).toBe(1);
  });

  it("reject anything that is not a cursor", () => {
    const ordering = parseOrderBy("id");
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const bad: unknown[] = [
      "",
      5,
      null,
      {},
      "not a cursor!",
      encode({ field: "id" }),
      encode(["id", 0, "a"]),
      encode(["id", 0, "a", 5]),
      encode(["id", 0, { $date: "soon" }, "a"]),
      encode(["id", 3, "a", "a"]),
      encode(["id", "desc", "a", "a"]),
      "x".repeat((1 << 20) + 1),
    ];
    for (const cursor of bad) expectInvalid(() => decodeCursor(cursor, ordering));
  });

  it("refuse a descending cursor made while ties sorted by id ascending", () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const ordering = parseOrderBy("-createdAt");
    const old = encode(["createdAt", 1, { $date: 5 }, "a"]);
    expect(() => decodeCursor(old, ordering)).toThrow(/before descending ties/);
    expectInvalid(() => decodeCursor(old, ordering));
    const fresh = encodeCursor(ordering, rec("a", {}));
    expect(decodeCursor(fresh, ordering)).toMatchObject({ descending: true, id: "a" });
  });

  it("reject a value of the wrong type for the ordering field", () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const cases: [string, unknown][] = [
      ["createdAt", "2020-01-01"],
      ["createdAt", null],
      ["updatedAt", 5],
      ["updatedAt", { $date: 8.64e15 + 1 }],
      ["createdAt", { $date: -8.64e15 - 1 }],
      ["id", 5],
      ["naturalKey", null],
      ["layer", { $date: 0 }],
    ];
    for (const [field, value] of cases) {
      expectInvalid(() => decodeCursor(encode([field, 0, value, "a"]), parseOrderBy(field)));
    }
    expect(decodeCursor(encode(["createdAt", 0, { $date: 8.64e15 }, "a"]), parseOrderBy("createdAt")).value).toEqual(
      new Date(8.64e15),
    );
    expect(decodeCursor(encode(["layer", 0, "gold", "a"]), parseOrderBy("layer")).value).toBe("gold");
  });

  it("isAfterCursor: strictly after, ties by id in the ordering's direction", () => {
    const asc = parseOrderBy("content.n");
    const desc = parseOrderBy("-content.n");
    const pos = { field: "content.n", descending: false, value: 2, id: "m" };
    expect(isAfterCursor(rec("a", { n: 3 }), pos, asc)).toBe(true);
    expect(isAfterCursor(rec("z", { n: 1 }), pos, asc)).toBe(false);
    expect(isAfterCursor(rec("n", { n: 2 }), pos, asc)).toBe(true);
    expect(isAfterCursor(rec("m", { n: 2 }), pos, asc)).toBe(false);
    expect(isAfterCursor(rec("l", { n: 2 }), pos, asc)).toBe(false);
    const dpos = { ...pos, descending: true };
    expect(isAfterCursor(rec("a", { n: 1 }), dpos, desc)).toBe(true);
    expect(isAfterCursor(rec("a", { n: 3 }), dpos, desc)).toBe(false);
    expect(isAfterCursor(rec("n", { n: 2 }), dpos, desc)).toBe(false);
    expect(isAfterCursor(rec("l", { n: 2 }), dpos, desc)).toBe(true);
    expect(isAfterCursor(rec("m", { n: 2 }), dpos, desc)).toBe(false);
    expect(isAfterCursor(rec("a", {}), dpos, desc)).toBe(true);
    expect(isAfterCursor(rec("a", {}), pos, asc)).toBe(false);
  });

  it("page through mixed-type values exactly once, in order, both directions", () => {
    const values: unknown[] = [undefined, null, true, false, 0, -1, 2.5, "", "a", "B", "\uFFFD", "\u{1F600}", {}, [1]];
    const records = Array.from({ length: 60 }, (_, i) =>
      rec(
        `r${String(i).padStart(2, "0")}`,
        values[i % values.length] === undefined ? {} : { v: values[i % values.length] },
      ),
    );
    for (const orderBy of ["content.v", "-content.v", "id", "-id", "createdAt"]) {
      const ordering = parseOrderBy(orderBy);
      const expected = [...records].sort((a, b) => compareRecords(a, b, ordering)).map((r) => r.id);
      for (const size of [1, 7, 60]) expect(pageThrough(records, orderBy, size)).toEqual(expected);
    }
  });
});
