import { type Backend, sql } from "@core/protocols";

/** One protocol's quick check against a backend. */
export type Smoke = (backend: Backend, name: string) => Promise<void>;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`smoke check failed: ${what}`);
}

/**
 * A short round trip per protocol, enough to tell "works" from "broken" in `matrix`.
 *
 * @example
 * ```ts
 * await SMOKES.cache(backend, "matrix-1");
 * ```
 */
export const SMOKES: Record<"cache" | "queue" | "records" | "transport" | "sql", Smoke> = {
  async cache(backend, name) {
    const cache = backend.cache<{ n: number }>(name);
    await cache.set("k", { n: 1 }, { ttlMs: 60_000 });
    check((await cache.get("k"))?.n === 1, "cache get after set");
    check((await cache.increment("c", 2)) === 2, "cache increment");
    await cache.clear();
  },
  async queue(backend, name) {
    const queue = backend.queue<string>(name);
    const { first, count } = await queue.putBatch(["a", "b", "c"]);
    check(first === 0 && count === 3, "dense offsets from 0");
    const entries = await queue.get({ offset: 1, limit: 2 });
    check(entries.map((e) => e.value).join("") === "bc", "queue get by offset");
  },
  async records(backend, name) {
    const records = backend.records(name);
    check(await records.recordSighting({ naturalKey: "n1", source: "matrix" }), "first sighting is new");
    await records.store({ id: "r1", naturalKey: "n1", content: { score: 3 } });
    const found = await records.queryPage({ where: { "content.score": { gte: 3 } } });
    check(found.records.length === 1, "record query by content field");
    await records.clear();
  },
  async transport(backend, name) {
    const transport = backend.transport();
    let got = 0;
    const sub = await transport.subscribe(name, () => {
      got++;
    });
    await transport.send(name, [{ id: "m1", payload: { ok: true }, headers: {}, publishedAt: Date.now() }]);
    const deadline = Date.now() + 3000;
    while (got === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await sub.unsubscribe();
    check(got === 1, "message delivered to subscriber");
  },
  async sql(backend) {
    const rows = await backend.sql().query<{ answer: number | string }>(sql`select ${41} + 1 as answer`);
    check(Number(rows[0]?.answer) === 42, "select 41 + 1");
  },
};
