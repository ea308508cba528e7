import { CacheModel, type CacheOp, QueueModel, queryArb, RecordModel, recordFrom } from "@core/conformance";
import { type Backend, defaultCodec, type RecordInput, type RecordQuery, type StoredRecord } from "@core/protocols";
import fc from "fast-check";

type Answer = { ok: true; value: unknown } | { ok: false; code: string };

// One canonical text for any answer: the default codec round-trips Dates, bytes, bigints.
const canon = (a: unknown) => defaultCodec.encode([a === undefined ? "<undefined>" : a]);

function check(step: string, actual: Answer, expected: Answer): void {
  if (canon(actual) !== canon(expected)) {
    throw new Error(`${step}: backend answered ${canon(actual)}, the model ${canon(expected)}`);
  }
}

async function answer(fn: () => Promise<unknown>): Promise<Answer> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!(err instanceof Error) || err.name !== "BackendError" || code === undefined) throw err;
    return { ok: false, code };
  }
}

let names = 0;
const fresh = (kind: string) => `fuzz-${kind}-${process.pid}-${Date.now().toString(36)}-${++names}`;

const KEYS = ["a", "b", "*", "ü/\n😀", "'; DROP TABLE core_cache; --"];
const key = fc.constantFrom(...KEYS);
const value = fc.oneof(
  fc.constantFrom(0, "", false, null, 1.5, "5"),
  fc.integer({ min: -5, max: 5 }),
  fc.string({ maxLength: 6 }),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 4 }),
  fc.bigInt({ min: -5n, max: 5n }),
);
const cacheOp: fc.Arbitrary<CacheOp> = fc.oneof(
  fc.record({ op: fc.constant("get" as const), key }),
  fc.record({ op: fc.constant("getMany" as const), keys: fc.array(key, { maxLength: 3 }) }),
  fc.record({ op: fc.constant("set" as const), key, value }),
  fc.record({ op: fc.constant("setMany" as const), entries: fc.array(fc.record({ key, value }), { maxLength: 3 }) }),
  fc.record({ op: fc.constant("add" as const), key, value }),
  fc.record({ op: fc.constant("increment" as const), key, by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ op: fc.constant("delete" as const), key }),
  fc.record({ op: fc.constant("has" as const), key }),
  fc.record({ op: fc.constant("keys" as const), match: fc.constantFrom("*", "?", "a*", "*;*") }),
  fc.record({ op: fc.constant("clear" as const) }),
);

function runCache(backend: Backend, name: string, op: CacheOp): Promise<Answer> {
  const c = backend.cache(name);
  return answer(async () => {
    switch (op.op) {
      case "get":
        return c.get(op.key);
      case "getMany":
        return c.getMany(op.keys);
      case "set":
        return c.set(op.key, op.value);
      case "setMany":
        return c.setMany(op.entries);
      case "add":
        return c.add(op.key, op.value);
      case "increment":
        return c.increment(op.key, op.by);
      case "delete":
        return c.delete(op.key);
      case "has":
        return c.has(op.key);
      case "keys": {
        const out: string[] = [];
        for await (const k of c.keys({ match: op.match ?? "*" })) out.push(k);
        return out.sort();
      }
      case "clear":
        return c.clear();
      default:
        throw new Error(`unexpected op ${op.op}`);
    }
  });
}

/** Sequential cache operations, two clients of one storage taking turns, against {@link CacheModel}. */
export function cacheProperty(clients: () => Promise<Backend[]>): fc.IAsyncPropertyWithHooks<[[number, CacheOp][]]> {
  return fc.asyncProperty(fc.array(fc.tuple(fc.nat(1), cacheOp), { minLength: 1, maxLength: 40 }), async (ops) => {
    const backends = await clients();
    const name = fresh("cache");
    const model = new CacheModel();
    for (const [i, [who, op]] of ops.entries()) {
      const b = backends[who % backends.length] as Backend;
      check(`step ${i} ${JSON.stringify(op, big)}`, await runCache(b, name, op), model.apply(op) as Answer);
    }
  });
}

const big = (_k: string, v: unknown) => (typeof v === "bigint" ? `${v}n` : v);

type QueueOp =
  | { kind: "put"; v: unknown }
  | { kind: "batch"; vs: unknown[] }
  | { kind: "get"; offset: number; limit: number }
  | { kind: "trim"; before: number }
  | { kind: "commit"; g: string; n: number }
  | { kind: "committed"; g: string };
const queueOp: fc.Arbitrary<QueueOp> = fc.oneof(
  fc.record({ kind: fc.constant("put" as const), v: value }),
  fc.record({ kind: fc.constant("batch" as const), vs: fc.array(value, { maxLength: 5 }) }),
  fc.record({ kind: fc.constant("get" as const), offset: fc.nat(30), limit: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("trim" as const), before: fc.nat(30) }),
  fc.record({ kind: fc.constant("commit" as const), g: fc.constantFrom("g1", "g2"), n: fc.nat(30) }),
  fc.record({ kind: fc.constant("committed" as const), g: fc.constantFrom("g1", "g2") }),
);

/** Sequential queue operations against {@link QueueModel}. */
export function queueProperty(clients: () => Promise<Backend[]>): fc.IAsyncPropertyWithHooks<[[number, QueueOp][]]> {
  return fc.asyncProperty(fc.array(fc.tuple(fc.nat(1), queueOp), { minLength: 1, maxLength: 30 }), async (ops) => {
    const backends = await clients();
    const name = fresh("queue");
    const model = new QueueModel();
    for (const [i, [who, op]] of ops.entries()) {
      const q = (backends[who % backends.length] as Backend).queue(name);
      const step = `step ${i} ${JSON.stringify(op, big)}`;
      switch (op.kind) {
        case "put":
          check(step, await answer(async () => q.put(op.v)), { ok: true, value: model.put(op.v) });
          await q.flush();
          break;
        case "batch":
          check(step, await answer(async () => q.putBatch(op.vs)), { ok: true, value: model.putBatch(op.vs) });
          await q.flush();
          break;
        case "get": {
          const got = await answer(async () =>
            (await q.get({ offset: op.offset, limit: op.limit })).map((e) => [e.offset, e.value]),
          );
          check(step, got, { ok: true, value: model.get(op.offset, op.limit) });
          break;
        }
        case "trim":
          check(step, await answer(async () => q.trim({ before: op.before })), {
            ok: true,
            value: model.trim({ before: op.before }),
          });
          break;
        case "commit":
          await q.commit(op.g, op.n);
          model.commit(op.g, op.n);
          break;
        case "committed":
          check(step, await answer(async () => q.committed(op.g)), { ok: true, value: model.committed(op.g) });
          break;
      }
    }
  });
}

const IDS = ["a", "B", "é", "r'1"];
const NKS = ["k1", "k2", "k'; --"];
type RecordOp =
  | { kind: "store"; r: RecordInput }
  | { kind: "delete"; id: string }
  | { kind: "sight"; nk: string }
  | { kind: "query"; q: RecordQuery };
const recordOp: fc.Arbitrary<RecordOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("store" as const), r: recordFrom(IDS, NKS) }) },
  fc.record({ kind: fc.constant("delete" as const), id: fc.constantFrom(...IDS) }),
  fc.record({ kind: fc.constant("sight" as const), nk: fc.constantFrom(...NKS) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("query" as const), q: queryArb }) },
);

/** Record-store operations against {@link RecordModel} (conflicts, versions, query order). */
export function recordsProperty(clients: () => Promise<Backend[]>): fc.IAsyncPropertyWithHooks<[[number, RecordOp][]]> {
  return fc.asyncProperty(fc.array(fc.tuple(fc.nat(1), recordOp), { minLength: 1, maxLength: 25 }), async (ops) => {
    const backends = await clients();
    const name = fresh("records");
    const model = new RecordModel();
    for (const [i, [who, op]] of ops.entries()) {
      const s = (backends[who % backends.length] as Backend).records(name);
      const step = `step ${i} ${JSON.stringify(op)}`;
      if (op.kind === "store") {
        const expected = model.expectStore(op.r);
        const got = await answer(() => s.store(op.r));
        if (expected.kind === "conflict")
          check(step, got.ok ? got : { ok: false, code: got.code }, { ok: false, code: "CONFLICT" });
        else if (!got.ok)
          throw new Error(`${step}: backend failed with ${got.code}, the model expected ${expected.kind}`);
        else {
          const stored = got.value as StoredRecord;
          if (stored.version !== (expected as { version: number }).version)
            throw new Error(`${step}: version ${stored.version}`);
          model.put(stored);
        }
      } else if (op.kind === "delete") {
        check(step, await answer(() => s.delete(op.id)), { ok: true, value: model.delete(op.id, undefined) });
      } else if (op.kind === "sight") {
        check(step, await answer(() => s.recordSighting({ naturalKey: op.nk, source: "fuzz" })), {
          ok: true,
          value: model.sight(op.nk),
        });
      } else {
        check(step, await answer(() => s.queryPage(op.q)), { ok: true, value: model.queryPage(op.q) });
      }
    }
  });
}

/** Concurrent increments and adds from every client at once: exact sum, exactly one `add` winner. */
export function concurrentProperty(clients: () => Promise<Backend[]>): fc.IAsyncPropertyWithHooks<[number[], number]> {
  return fc.asyncProperty(
    fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 20 }),
    fc.integer({ min: 2, max: 8 }),
    async (bys, adders) => {
      const backends = await clients();
      const name = fresh("conc");
      const cache = (i: number) => (backends[i % backends.length] as Backend).cache(name);
      const results = await Promise.all(bys.map((by, i) => cache(i).increment("n", by)));
      const sum = bys.reduce((a, b) => a + b, 0);
      if ((await cache(0).get("n")) !== sum)
        throw new Error(`increments ${JSON.stringify(bys)} ended at ${String(await cache(0).get("n"))}, not ${sum}`);
      if (!results.includes(sum)) throw new Error(`no increment returned the final ${sum}: ${JSON.stringify(results)}`);
      const wins = await Promise.all(Array.from({ length: adders }, (_, i) => cache(i).add("once", i)));
      if (wins.filter(Boolean).length !== 1) throw new Error(`add winners: ${JSON.stringify(wins)}`);
      const queue = (i: number) => (backends[i % backends.length] as Backend).queue(name);
      const batches = await Promise.all(bys.map((_, i) => queue(i).putBatch([i, i, i])));
      const firsts = batches.map((b) => b.first).sort((a, b) => a - b);
      if (firsts.some((f, i) => f !== i * 3))
        throw new Error(`batch offsets not dense and contiguous: ${JSON.stringify(firsts)}`);
    },
  );
}

/** Every property, by name, for the runners. */
export const PROPERTIES = {
  cache: cacheProperty,
  queue: queueProperty,
  records: recordsProperty,
  concurrent: concurrentProperty,
} as const;
