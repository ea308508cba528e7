import { BAD_NAMES, BAD_TTLS, type BadCase, message, show } from "./corpus-inputs.js";

/**
 * Bad names and bad options of every store: cache, queue, records, channel and group
 * names, bucket counts, TTL and `maxEntries` options, options that are not objects.
 *
 * @example
 * ```ts
 * for (const c of nameCases()) await expectInvalid(() => c.call(stores));
 * ```
 */
export function nameCases(): BadCase[] {
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
