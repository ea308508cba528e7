import type { Backend, Cache, Message, Queue, RecordStore, Transport } from "@core/protocols";

/** The stores a corpus case may call, all on seeded namespaces. */
export interface Stores {
  backend: Backend;
  cache: Cache;
  queue: Queue;
  records: RecordStore;
  transport: Transport;
}

/** One bad call: it must fail with `INVALID_ARGUMENT` and change nothing. */
export interface BadCase {
  label: string;
  call(s: Stores): unknown;
}

/** Protocol groups of the corpus. */
export type Group = "names" | "cache" | "queue" | "records" | "transport";

class Custom {
  x = 1;
}
const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};
const cyclicArray = (): unknown => {
  const a: unknown[] = [1];
  a.push(a);
  return a;
};

/** Keys no backend may accept. */
export const BAD_KEYS: readonly [string, unknown][] = [
  ["empty", ""],
  ["1025 bytes", "k".repeat(1025)],
  ["1026 bytes of é", "é".repeat(513)],
  ["lone high surrogate", "a\uD800"],
  ["lone low surrogate", "\uDC00b"],
  ["number", 1],
  ["null", null],
  ["undefined", undefined],
  ["object", { key: "a" }],
  ["array", ["a"]],
  ["symbol", Symbol("k")],
];

/** Store, topic, channel and group names no backend may accept. */
export const BAD_NAMES: readonly [string, unknown][] = [
  ["empty", ""],
  ["129 characters", "n".repeat(129)],
  ["NUL", "a\u0000b"],
  ["newline", "a\nb"],
  ["DEL", "a\u007f"],
  ["number", 5],
  ["null", null],
  ["object", {}],
];

/** Values the default codec cannot encode. */
export const BAD_VALUES: readonly [string, () => unknown][] = [
  ["function", () => () => 1],
  ["symbol", () => Symbol("v")],
  ["cyclic object", cyclic],
  ["cyclic array", cyclicArray],
  ["class instance", () => new Custom()],
  ["nested function", () => ({ a: [1, { f: () => 1 }] })],
  ["nested symbol", () => [1, Symbol("s")]],
  ["WeakMap", () => new WeakMap()],
  ["Promise", () => Promise.resolve(1)],
];

/** TTLs every backend must reject. */
export const BAD_TTLS: readonly unknown[] = [
  0,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  "10",
  null,
];

/** Offsets and counts (non-negative integers) every backend must reject. */
export const BAD_COUNTS: readonly unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "1", null];

const show = (v: unknown) =>
  typeof v === "string" ? JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v) : String(v);

function names(): BadCase[] {
  const out: BadCase[] = [];
  for (const [label, name] of BAD_NAMES) {
    const n = name as string;
    out.push(
      { label: `cache name ${label}`, call: (s) => s.backend.cache(n).set("k", 1) },
      { label: `queue name ${label}`, call: (s) => s.backend.queue(n).put(1) },
      {
        label: `records name ${label}`,
        call: (s) => s.backend.records(n).store({ id: "i", naturalKey: "k", content: {} }),
      },
      { label: `channel name ${label}`, call: (s) => s.transport.send(n, [message()]) },
      { label: `subscribe channel ${label}`, call: (s) => s.transport.subscribe(n, () => {}) },
      { label: `subscribe group ${label}`, call: (s) => s.transport.subscribe("seed-ch", () => {}, { group: n }) },
      { label: `queue group ${label}`, call: (s) => s.queue.commit(n, 1) },
    );
  }
  for (const bad of [0, -1, 1.5, "8", Number.NaN]) {
    out.push({
      label: `buckets ${show(bad)}`,
      call: (s) => s.backend.queue("seed-q2", { buckets: bad as number }).put(1),
    });
  }
  for (const bad of BAD_TTLS) {
    out.push({
      label: `defaultTtlMs ${show(bad)}`,
      call: (s) => s.backend.cache("seed-c2", { defaultTtlMs: bad as number }).set("k", 1),
    });
  }
  for (const bad of [0, -1, 1.5, "5"]) {
    out.push({
      label: `maxEntries ${show(bad)}`,
      call: (s) =>
        s.backend.capabilities.maxEntries
          ? s.backend.cache("seed-c2", { maxEntries: bad as number }).set("k", 1)
          : // Without the capability the option is NOT_SUPPORTED; test a bad TTL option instead.
            s.backend.cache("seed-c2", { defaultTtlMs: "bad" as unknown as number }).set("k", 1),
    });
  }
  out.push(
    { label: "cache options not an object", call: (s) => s.backend.cache("seed-c2", "x" as never).set("k", 1) },
    { label: "queue options not an object", call: (s) => s.backend.queue("seed-q2", 5 as never).put(1) },
    {
      label: "transport mode unknown",
      call: (s) => s.backend.transport({ mode: "sometimes" as never }).send("seed-ch", [message()]),
    },
    { label: "records maxLimit -1", call: (s) => s.backend.records("seed-r2", { maxLimit: -1 }).count() },
  );
  return out;
}

function cacheCases(): BadCase[] {
  const out: BadCase[] = [];
  for (const [label, key] of BAD_KEYS) {
    const k = key as string;
    out.push(
      { label: `get key ${label}`, call: (s) => s.cache.get(k) },
      { label: `getMany key ${label}`, call: (s) => s.cache.getMany(["a", k]) },
      { label: `set key ${label}`, call: (s) => s.cache.set(k, 1) },
      {
        label: `setMany key ${label}`,
        call: (s) =>
          s.cache.setMany([
            { key: "new", value: 1 },
            { key: k, value: 1 },
          ]),
      },
      { label: `add key ${label}`, call: (s) => s.cache.add(k, 1) },
      { label: `increment key ${label}`, call: (s) => s.cache.increment(k) },
      { label: `delete key ${label}`, call: (s) => s.cache.delete(k) },
      { label: `deleteMany key ${label}`, call: (s) => s.cache.deleteMany(["a", k]) },
      { label: `has key ${label}`, call: (s) => s.cache.has(k) },
      { label: `ttl key ${label}`, call: (s) => s.cache.ttl(k) },
    );
  }
  for (const [label, value] of BAD_VALUES) {
    out.push(
      { label: `set value ${label}`, call: (s) => s.cache.set("a", value()) },
      { label: `set new key value ${label}`, call: (s) => s.cache.set("fresh", value()) },
      {
        label: `setMany value ${label}`,
        call: (s) =>
          s.cache.setMany([
            { key: "new", value: 1 },
            { key: "b", value: value() },
          ]),
      },
      { label: `add value ${label}`, call: (s) => s.cache.add("fresh", value()) },
    );
  }
  for (const ttl of BAD_TTLS) {
    const t = ttl as number;
    out.push(
      { label: `set ttl ${show(ttl)}`, call: (s) => s.cache.set("a", 2, { ttlMs: t }) },
      { label: `add ttl ${show(ttl)}`, call: (s) => s.cache.add("fresh", 2, { ttlMs: t }) },
      {
        label: `setMany ttl ${show(ttl)}`,
        call: (s) =>
          s.cache.setMany([
            { key: "new", value: 1 },
            { key: "a", value: 2, ttlMs: t },
          ]),
      },
    );
  }
  for (const by of [1.5, Number.NaN, Number.POSITIVE_INFINITY, "1", 2 ** 53]) {
    out.push({ label: `increment by ${show(by)}`, call: (s) => s.cache.increment("n", by as number) });
  }
  out.push(
    { label: "increment a non-integer value", call: (s) => s.cache.increment("a") },
    { label: "increment past MAX_SAFE_INTEGER", call: (s) => s.cache.increment("n", Number.MAX_SAFE_INTEGER) },
    { label: "getMany not an array", call: (s) => s.cache.getMany("a" as never) },
    { label: "setMany not an array", call: (s) => s.cache.setMany({ key: "x", value: 1 } as never) },
    { label: "setMany entry null", call: (s) => s.cache.setMany([{ key: "new", value: 1 }, null as never]) },
    { label: "deleteMany not an array", call: (s) => s.cache.deleteMany("a" as never) },
    { label: "set options not an object", call: (s) => s.cache.set("a", 1, "ttl" as never) },
    { label: "set options an array", call: (s) => s.cache.set("a", 1, [1] as never) },
    { label: "add options not an object", call: (s) => s.cache.add("fresh", 1, 5 as never) },
    {
      label: "keys match not a string",
      call: async (s) => {
        for await (const _ of s.cache.keys({ match: 5 as never }));
      },
    },
  );
  return out;
}

function queueCases(): BadCase[] {
  const out: BadCase[] = [];
  for (const [label, value] of BAD_VALUES) {
    out.push(
      { label: `put value ${label}`, call: (s) => s.queue.put(value()) },
      { label: `putBatch value ${label} in the middle`, call: (s) => s.queue.putBatch([1, 2, value(), 4]) },
    );
  }
  for (const bad of BAD_COUNTS) {
    const b = bad as number;
    out.push(
      { label: `get offset ${show(bad)}`, call: (s) => s.queue.get({ offset: b }) },
      { label: `get limit ${show(bad)}`, call: (s) => s.queue.get({ limit: b }) },
      {
        label: `stream offset ${show(bad)}`,
        call: async (s) => {
          for await (const _ of s.queue.stream({ offset: b }));
        },
      },
      { label: `commit ${show(bad)}`, call: (s) => s.queue.commit("g", b) },
      { label: `trim before ${show(bad)}`, call: (s) => s.queue.trim({ before: b }) },
      { label: `trim maxLength ${show(bad)}`, call: (s) => s.queue.trim({ maxLength: b }) },
    );
  }
  out.push(
    { label: "putBatch a string", call: (s) => s.queue.putBatch("abc" as never) },
    { label: "putBatch null", call: (s) => s.queue.putBatch(null as never) },
    { label: "putBatch array-like", call: (s) => s.queue.putBatch({ length: 1, 0: 1 } as never) },
    { label: "trim {}", call: (s) => s.queue.trim({} as never) },
    { label: "trim null", call: (s) => s.queue.trim(null as never) },
    { label: "trim both", call: (s) => s.queue.trim({ before: 1, maxLength: 1 } as never) },
    { label: "bucket 1 of an unbucketed queue", call: (s) => s.queue.bucket(1).put(1) },
    { label: "bucket -1", call: (s) => s.queue.bucket(-1).put(1) },
    { label: "put key on bucketed queue missing", call: (s) => s.backend.queue("seed-qb", { buckets: 2 }).put(1) },
    {
      label: "put bucket key not a string",
      call: (s) => s.backend.queue("seed-qb", { buckets: 2 }).put(1, { key: 5 as never }),
    },
    { label: "get on a bucketed parent", call: (s) => s.backend.queue("seed-qb", { buckets: 2 }).get() },
  );
  return out;
}

const rec = (extra: Record<string, unknown>) => ({ id: "new", naturalKey: "new-k", content: {}, ...extra }) as never;

function recordCases(): BadCase[] {
  const out: BadCase[] = [];
  const bad: [string, Record<string, unknown>][] = [
    ["empty id", { id: "" }],
    ["number id", { id: 5 }],
    ["lone surrogate id", { id: "\uD800" }],
    ["empty naturalKey", { naturalKey: "" }],
    ["layer platinum", { layer: "platinum" }],
    ["content null", { content: null }],
    ["content array", { content: [1] }],
    ["content string", { content: "x" }],
    ["content with a function", { content: { f: () => 1 } }],
    ["content cyclic", { content: cyclic() }],
    ["content class instance", { content: { c: new Custom() } }],
    ["content NaN", { content: { n: Number.NaN } }],
    ["content bigint", { content: { n: 1n } }],
    ["content own __proto__", { content: JSON.parse('{"__proto__": {"polluted": 1}}') }],
    ["content constructor", { content: { constructor: { prototype: { polluted: 1 } } } }],
    ["metadata nested prototype", { metadata: { a: { prototype: 1 } } }],
    ["metadata string", { metadata: "x" }],
    ["unknown record field", { extra: 1 }],
    ["U+0000 in content", { content: { s: "a\u0000b" } }],
  ];
  for (const [label, extra] of bad) {
    out.push(
      { label: `store ${label}`, call: (s) => s.records.store(rec(extra)) },
      {
        label: `storeBatch with ${label} last`,
        call: (s) => s.records.storeBatch([rec({ id: "ok", naturalKey: "ok" }), rec(extra)]),
      },
    );
  }
  for (const v of [-1, 1.5, "1", Number.NaN]) {
    out.push({
      label: `expectedVersion ${show(v)}`,
      call: (s) => s.records.store(rec({}), { expectedVersion: v as number }),
    });
  }
  const filters: [string, unknown][] = [
    ["unknown field", { colour: "red" }],
    ["unknown operator", { id: { regex: "a" } }],
    ["own __proto__ field", JSON.parse('{"__proto__": {"eq": 1}}')],
    ["constructor field", { constructor: 1 }],
    ["content.__proto__ path", { "content.__proto__.polluted": 1 }],
    ["metadata.constructor path", { "metadata.constructor": 1 }],
    ["empty path", { "content.": 1 }],
    ["empty operator object", { id: {} }],
    ["in not an array", { id: { in: "a" } }],
    ["object operand", { id: { eq: { a: 1 } } }],
    ["exists not boolean", { id: { exists: 1 } }],
    ["injection field", { "id; DROP TABLE records; --": 1 }],
    ["injection in a field quote", { "content.x' OR '1'='1": { eq: { $ne: 1 } } }],
    ["where not an object", "id = 1"],
  ];
  for (const [label, where] of filters) {
    out.push(
      { label: `query where ${label}`, call: (s) => s.records.queryPage({ where: where as never }) },
      { label: `count where ${label}`, call: (s) => s.records.count({ where: where as never }) },
    );
  }
  const queries: [string, unknown][] = [
    ["orderBy unknown", { orderBy: "colour" }],
    ["orderBy injection", { orderBy: "id; DROP TABLE records" }],
    ["orderBy -", { orderBy: "-" }],
    ["limit -1", { limit: -1 }],
    ["limit 1.5", { limit: 1.5 }],
    ["limit above maxLimit", { limit: 10_001 }],
    ["offset -1", { offset: -1 }],
    ["after garbage", { after: "'; DROP TABLE records; --" }],
    ["layer platinum", { layer: "platinum" }],
    ["unknown query key", { sort: "id" }],
  ];
  for (const [label, query] of queries) {
    out.push({ label: `query ${label}`, call: (s) => s.records.queryPage(query as never) });
  }
  out.push(
    { label: "get empty id", call: (s) => s.records.get("") },
    { label: "get bad layer", call: (s) => s.records.get("r1", "platinum" as never) },
    { label: "delete bad layer", call: (s) => s.records.delete("r1", "platinum" as never) },
    { label: "delete number id", call: (s) => s.records.delete(5 as never) },
    { label: "storeBatch not an array", call: (s) => s.records.storeBatch("x" as never) },
    {
      label: "storeBatch onConflict merge",
      call: (s) => s.records.storeBatch([rec({})], { onConflict: "merge" as never }),
    },
    { label: "sighting empty naturalKey", call: (s) => s.records.recordSighting({ naturalKey: "", source: "s" }) },
    { label: "sighting empty source", call: (s) => s.records.recordSighting({ naturalKey: "nk", source: "" }) },
    {
      label: "sighting invalid date",
      call: (s) => s.records.recordSighting({ naturalKey: "nk", source: "s", seenAt: new Date(Number.NaN) }),
    },
    {
      label: "sighting metadata string",
      call: (s) => s.records.recordSighting({ naturalKey: "nk", source: "s", metadata: "x" as never }),
    },
    {
      label: "sighting metadata __proto__",
      call: (s) =>
        s.records.recordSighting({
          naturalKey: "nk",
          source: "s",
          metadata: JSON.parse('{"__proto__": {"polluted": 1}}'),
        }),
    },
    {
      label: "sighting contentHash number",
      call: (s) => s.records.recordSighting({ naturalKey: "nk", source: "s", contentHash: 5 as never }),
    },
  );
  return out;
}

/** A valid message, optionally with fields replaced. */
export function message(extra: Partial<Record<keyof Message, unknown>> = {}): Message {
  return {
    id: `m-${Math.random().toString(36).slice(2)}`,
    payload: { ok: true },
    headers: {},
    publishedAt: Date.now(),
    ...extra,
  } as Message;
}

function transportCases(): BadCase[] {
  const out: BadCase[] = [];
  for (const [label, value] of BAD_VALUES) {
    out.push({
      label: `payload ${label} second of two`,
      call: (s) => s.transport.send("seed-ch", [message(), message({ payload: value() })]),
    });
  }
  const fields: [string, Partial<Record<keyof Message, unknown>>][] = [
    ["id number", { id: 5 }],
    ["id empty", { id: "" }],
    ["headers not an object", { headers: "x" }],
    ["header value number", { headers: { a: 1 } }],
    ["publishedAt NaN", { publishedAt: Number.NaN }],
    ["publishedAt string", { publishedAt: "now" }],
    ["idempotencyKey number", { idempotencyKey: 5 }],
  ];
  for (const [label, extra] of fields) {
    out.push({ label: `message ${label}`, call: (s) => s.transport.send("seed-ch", [message(), message(extra)]) });
  }
  out.push(
    { label: "send not an array", call: (s) => s.transport.send("seed-ch", message() as never) },
    { label: "send a null message", call: (s) => s.transport.send("seed-ch", [message(), null as never]) },
    { label: "subscribe handler not a function", call: (s) => s.transport.subscribe("seed-ch", "h" as never) },
    { label: "subscribe options not an object", call: (s) => s.transport.subscribe("seed-ch", () => {}, 5 as never) },
    {
      label: "subscribe fromStart not boolean",
      call: (s) => s.transport.subscribe("seed-ch", () => {}, { fromStart: "yes" as never }),
    },
  );
  return out;
}

/**
 * The whole bad-input corpus, by protocol.
 *
 * @example
 * ```ts
 * for (const c of corpus().cache) await expectInvalid(() => c.call(stores));
 * ```
 */
export function corpus(): Record<Group, BadCase[]> {
  return {
    names: names(),
    cache: cacheCases(),
    queue: queueCases(),
    records: recordCases(),
    transport: transportCases(),
  };
}
