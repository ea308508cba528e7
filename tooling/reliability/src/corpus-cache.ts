import { BAD_KEYS, BAD_TTLS, BAD_VALUES, type BadCase, show } from "./corpus-inputs.js";

/**
 * Bad calls of the cache protocol: bad keys for every method, values the codec cannot
 * encode, bad TTLs, bad increments and malformed batch and option arguments.
 *
 * @example
 * ```ts
 * for (const c of cacheCases()) await expectInvalid(() => c.call(stores));
 * ```
 */
export function cacheCases(): BadCase[] {
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
