import { BackendError, type RecordInput } from "@core/protocols";
import { afterAll, describe, expect, test } from "vitest";
import { openPostgresBackend } from "./index.js";
import { countingPool, dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";
import { segments } from "./records-batch.js";

const schema = testSchema();
await requireServer();
afterAll(() => dropSchema(schema));

const rec = (id: string, naturalKey = `nk:${id}`, content: Record<string, unknown> = {}): RecordInput => ({
  id,
  naturalKey,
  content,
});

describe("postgres storeBatch", () => {
  test("segments split a batch only where an id repeats", () => {
    const ids = (runs: { id: string }[][]) => runs.map((r) => r.map((x) => x.id).join(""));
    expect(ids(segments([{ id: "a" }, { id: "b" }, { id: "c" }]))).toEqual(["abc"]);
    expect(ids(segments([{ id: "a" }, { id: "b" }, { id: "a" }, { id: "c" }, { id: "a" }]))).toEqual(["ab", "ac", "a"]);
    expect(segments([])).toEqual([]);
  });

  test("a batch of distinct ids is one statement on the pool, under every onConflict", async () => {
    const { pool, seen } = countingPool();
    const backend = await openPostgresBackend({ pool, schema });
    try {
      const store = backend.records("one-trip");
      const batch = Array.from({ length: 300 }, (_, i) => rec(`r${i}`, `k${i}`, { i }));
      for (const onConflict of ["update", "skip", "error"] as const) {
        await store.clear();
        const before = seen.statements.length;
        expect(await store.storeBatch(batch, { onConflict })).toEqual({ inserted: 300, updated: 0, skipped: 0 });
        expect(seen.statements.slice(before), onConflict).toEqual(["INSERT"]);
      }
      const before = seen.statements.length;
      // Updates, a moved natural key and a new record: still one statement.
      const result = await store.storeBatch([rec("r0", "moved", { i: -1 }), rec("new", "k0"), rec("r1", "k1")]);
      expect(result).toEqual({ inserted: 1, updated: 2, skipped: 0 });
      expect(seen.statements.slice(before)).toEqual(["INSERT"]);
      expect(await store.get("r0")).toMatchObject({ naturalKey: "moved", version: 2, content: { i: -1 } });
      expect((await store.getByNaturalKey("k0"))?.id).toBe("new");
    } finally {
      await backend.close();
      await pool.end();
    }
  });

  test("repeated ids under update: one statement per run inside one transaction, applied in order", async () => {
    const { pool, seen } = countingPool();
    const backend = await openPostgresBackend({ pool, schema });
    try {
      const store = backend.records("runs");
      const before = seen.statements.length;
      const result = await store.storeBatch([
        rec("a", "k1", { v: 1 }),
        rec("b", "k2"),
        rec("a", "k3", { v: 2 }), // frees k1 ...
        rec("c", "k1"), // ... which c takes
        rec("a", "k3", { v: 3 }),
      ]);
      expect(result).toEqual({ inserted: 3, updated: 2, skipped: 0 });
      expect(seen.statements.slice(before)).toEqual(["BEGIN", "INSERT", "INSERT", "INSERT", "COMMIT"]);
      expect(await store.get("a")).toMatchObject({ naturalKey: "k3", version: 3, content: { v: 3 } });
      expect((await store.getByNaturalKey("k1"))?.id).toBe("c");
      const a = await store.get("a");
      const c = await store.get("c");
      // One timestamp for the whole batch, to the millisecond.
      expect(a?.createdAt.getTime()).toBe(c?.createdAt.getTime());
      expect(a?.updatedAt.getTime()).toBe(a?.createdAt.getTime());
      // A conflict in a later run rolls back the earlier runs.
      const err = await store.storeBatch([rec("d"), rec("d", "k2")]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(BackendError.is(err, "CONFLICT"), String(err)).toBe(true);
      expect(await store.exists("d")).toBe(false);
    } finally {
      await backend.close();
      await pool.end();
    }
  });

  test("a CONFLICT names the clashing id or natural key", async () => {
    const backend = await openPostgresBackend({ connectionString: POSTGRES_URL, schema });
    try {
      const store = backend.records("names, with a comma");
      await store.store(rec("x\u0000y", "taken"));
      const idErr = await store.storeBatch([rec("fresh"), rec("x\u0000y", "other")], { onConflict: "error" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(BackendError.is(idErr, "CONFLICT")).toBe(true);
      expect((idErr as Error).message).toContain(JSON.stringify("x\u0000y"));
      const keyErr = await store.storeBatch([rec("fresh"), rec("y", "taken")]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(BackendError.is(keyErr, "CONFLICT")).toBe(true);
      expect((keyErr as Error).message).toContain('naturalKey "taken"');
      expect(await store.exists("fresh")).toBe(false);
    } finally {
      await backend.close();
    }
  });
});
