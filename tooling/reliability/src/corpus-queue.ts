import { BAD_COUNTS, BAD_VALUES, type BadCase, show } from "./corpus-inputs.js";

/**
 * Bad calls of the queue protocol: unencodable values, bad offsets and counts, malformed
 * batches and trims, and misuse of buckets.
 *
 * @example
 * ```ts
 * for (const c of queueCases()) await expectInvalid(() => c.call(stores));
 * ```
 */
export function queueCases(): BadCase[] {
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
