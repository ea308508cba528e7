import { BackendError, DeadlockError, type SqlDatabase, sql } from "@core/protocols";
import { expect, test } from "vitest";
import { sleep } from "../names.js";
import { countRows, deferred, expectSqlError, idNameColumns, type SqlContext } from "./context.js";

/** Two-party barrier: each caller waits until both arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  const all = deferred();
  return () => {
    arrived += 1;
    if (arrived === parties) all.resolve();
    return all.promise;
  };
}

async function sqliteBusyIsRetried(ctx: SqlContext): Promise<void> {
  const other = await ctx.options.open();
  const [setting] = await ctx.db.query<Record<string, unknown>>({ text: "PRAGMA busy_timeout" });
  const previous = Number(Object.values(setting ?? {})[0] ?? 5000);
  try {
    const t = await ctx.table(idNameColumns(ctx.db));
    // Our client gives up at once on a lock instead of waiting (busy_timeout is per connection).
    await ctx.db.execute({ text: "PRAGMA busy_timeout = 0" });
    const gate = deferred();
    const locked = deferred();
    const holder = other.sql().transaction(async (tx) => {
      await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"other"})`);
      locked.resolve();
      await gate.promise;
    });
    await locked.promise;
    const err = await expectSqlError(
      () => ctx.db.transaction((tx) => tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"mine"})`)),
      "SERIALIZATION",
      DeadlockError,
    );
    expect(err.retryable).toBe(true);
    expect(err.cause).toBeDefined();
    const retried = ctx.db.transaction((tx) => tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"mine"})`), {
      retries: 30,
    });
    setTimeout(gate.resolve, 30);
    await holder;
    await retried;
    expect(await countRows(ctx.db, t)).toBe(2);
  } finally {
    await ctx.db.execute({ text: `PRAGMA busy_timeout = ${previous}` });
    await other.close();
  }
}

async function writeSkew(db: SqlDatabase, t: ReturnType<typeof sql>, retries: number) {
  const meet = barrier(2);
  const attempts = [0, 0];
  const run = (who: 0 | 1) =>
    db.transaction(
      async (tx) => {
        attempts[who] = (attempts[who] ?? 0) + 1;
        await tx.query(sql`select sum(id) as s from ${t}`);
        if (attempts[who] === 1) await meet();
        await tx.execute(
          sql`insert into ${t} (id, name) values (${100 + who + 10 * (attempts[who] ?? 0)}, ${`w${who}`})`,
        );
      },
      { isolationLevel: "serializable", retries },
    );
  const results = await Promise.allSettled([run(0), run(1)]);
  return { results, attempts };
}

/**
 * Serialised work on one connection, isolation from concurrent readers, and real
 * serialization failures retried.
 *
 * @example
 * ```ts
 * registerSqlConcurrency(ctx);
 * ```
 */
export function registerSqlConcurrency(ctx: SqlContext): void {
  test("concurrent transactions never interleave on one connection nor see uncommitted rows", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const events: string[] = [];
    const seen: number[] = [];
    const work = (who: string, base: number) =>
      ctx.db.transaction(async (tx) => {
        events.push(`${who}:start`);
        await tx.execute(sql`insert into ${t} (id, name) values (${base}, ${who})`);
        await sleep(5);
        await tx.execute(sql`insert into ${t} (id, name) values (${base + 1}, ${who})`);
        const [row] = await tx.query<{ n: unknown }>(sql`select count(*) as n from ${t} where name <> ${who}`);
        seen.push(Number(row?.n));
        events.push(`${who}:end`);
      });
    await Promise.all([work("a", 0), work("b", 10), work("c", 20)]);
    expect(await countRows(ctx.db, t)).toBe(6);
    // Another transaction's rows are seen all (committed) or not at all, never half.
    for (const n of seen) expect(n % 2).toBe(0);
    if (ctx.dialectName === "sqlite") {
      // One connection: transactions run one after the other.
      for (let i = 0; i < events.length; i += 2) {
        expect(events[i]?.replace(":start", "")).toBe(events[i + 1]?.replace(":end", ""));
      }
    }
  });

  test("plain queries during a transaction wait or use another connection, never seeing uncommitted rows", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const gate = deferred();
    const inside = deferred();
    let committed = false;
    const tx = ctx.db.transaction(async (tx) => {
      await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"pending"})`);
      inside.resolve();
      await gate.promise;
    });
    await inside.promise;
    const reads = [1, 2, 3].map(() => countRows(ctx.db, t).then((n) => ({ n, committedBefore: committed })));
    if (ctx.dialectName === "postgres") {
      // A pool answers from another connection without waiting for the commit (however
      // slow the machine): awaiting the reads before releasing the transaction proves it.
      for (const { n } of await Promise.all(reads)) expect(n).toBe(0);
      gate.resolve();
      await tx;
      return;
    }
    await sleep(20);
    committed = true;
    gate.resolve();
    await tx;
    for (const { n, committedBefore } of await Promise.all(reads)) {
      expect(n).toBe(committedBefore ? 1 : 0);
      // SQLite has one connection: the reads waited for the commit.
      if (ctx.dialectName === "sqlite") expect(committedBefore).toBe(true);
    }
  });

  test("a real serialization failure is a retryable DeadlockError and retries resolve it", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    if (ctx.dialectName === "sqlite") {
      if (ctx.caps.crossProcess) {
        await sqliteBusyIsRetried(ctx);
      } else {
        // One private connection: concurrent serializable transactions are serialised, never conflict.
        const { results, attempts } = await writeSkewSerialised(ctx.db, t);
        expect(results.every((r) => r.status === "fulfilled")).toBe(true);
        expect(attempts).toEqual([1, 1]);
      }
      return;
    }
    expect(ctx.caps.isolationLevels).toContain("serializable");
    const failing = await writeSkew(ctx.db, t, 0);
    const rejected = failing.results.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    const reason = (rejected[0] as PromiseRejectedResult).reason as BackendError;
    expect(reason).toBeInstanceOf(DeadlockError);
    expect(reason).toBeInstanceOf(BackendError);
    expect(reason.code).toBe("SERIALIZATION");
    expect(reason.retryable).toBe(true);
    expect(reason.cause).toBeDefined();

    const t2 = await ctx.table(idNameColumns(ctx.db));
    const retried = await writeSkew(ctx.db, t2, 3);
    expect(retried.results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(retried.attempts[0]! + retried.attempts[1]!).toBeGreaterThan(2);
    expect(await countRows(ctx.db, t2)).toBe(2);
  });
}

async function writeSkewSerialised(db: SqlDatabase, t: ReturnType<typeof sql>) {
  const attempts = [0, 0];
  const run = (who: 0 | 1) =>
    db.transaction(
      async (tx) => {
        attempts[who] = (attempts[who] ?? 0) + 1;
        await tx.query(sql`select sum(id) as s from ${t}`);
        await sleep(5);
        await tx.execute(sql`insert into ${t} (id, name) values (${100 + who}, ${`w${who}`})`);
      },
      { isolationLevel: "serializable" },
    );
  const results = await Promise.allSettled([run(0), run(1)]);
  return { results, attempts };
}
