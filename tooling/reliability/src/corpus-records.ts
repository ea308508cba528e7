import { type BadCase, Custom, cyclic, show } from "./corpus-inputs.js";

const rec = (extra: Record<string, unknown>) => ({ id: "new", naturalKey: "new-k", content: {}, ...extra }) as never;

/**
 * Bad calls of the record-store protocol: records that are not JSON or reach a prototype,
 * bad versions, filters and queries (injection attempts included), and bad sightings.
 *
 * @example
 * ```ts
 * for (const c of recordCases()) await expectInvalid(() => c.call(stores));
 * ```
 */
export function recordCases(): BadCase[] {
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
