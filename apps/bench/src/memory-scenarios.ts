import { openMemoryBackend } from "@core/backend-memory";
import { defaultCodec } from "@core/protocols";
import type { Case } from "./measure.js";

/** One ours-vs-baseline pair. */
export interface Scenario {
  backend: string;
  operation: string;
  ours: Case;
  raw: Case;
  close?: () => Promise<void>;
}

const VALUE = { id: 42, name: "Ada Lovelace", tags: ["math", "engines"], active: true };

/**
 * Memory backend against its honest baseline: a `Map` that copies values the same way
 * (defaultCodec encode on write, decode on read), so the ratio shows the cost of the
 * protocol layer (validation, TTL, LRU, lifecycle), not of copying.
 *
 * @example
 * ```ts
 * const scenarios = await memoryScenarios(1000);
 * ```
 */
export async function memoryScenarios(keys: number): Promise<Scenario[]> {
  const backend = await openMemoryBackend();
  const cache = backend.cache<typeof VALUE>("bench");
  const map = new Map<string, string>();
  const queue = backend.queue<typeof VALUE>("bench");
  const log: string[] = [];
  const key = (i: number) => `key:${i % keys}`;
  const batch = Array.from({ length: 100 }, () => VALUE);
  return [
    {
      backend: "memory",
      operation: "cache set",
      ours: { name: "ours", run: (i) => cache.set(key(i), VALUE) },
      raw: { name: "Map", run: (i) => void map.set(key(i), defaultCodec.encode(VALUE)) },
    },
    {
      backend: "memory",
      operation: "cache get (hit)",
      ours: {
        name: "ours",
        setup: async () => {
          for (let i = 0; i < keys; i++) await cache.set(key(i), VALUE);
        },
        run: (i) => cache.get(key(i)),
      },
      raw: {
        name: "Map",
        setup: async () => {
          for (let i = 0; i < keys; i++) map.set(key(i), defaultCodec.encode(VALUE));
        },
        run: (i) => defaultCodec.decode(map.get(key(i))!),
      },
    },
    {
      backend: "memory",
      operation: "queue put",
      ours: { name: "ours", run: () => queue.put(VALUE) },
      raw: { name: "array", run: () => log.push(defaultCodec.encode(VALUE)) },
    },
    {
      backend: "memory",
      operation: "queue putBatch(100)",
      ours: { name: "ours", run: () => queue.putBatch(batch) },
      raw: { name: "array", run: () => log.push(...batch.map((v) => defaultCodec.encode(v))) },
    },
    {
      backend: "memory",
      operation: "queue get(offset, 10)",
      ours: { name: "ours", run: (i) => queue.get({ offset: i % 1000, limit: 10 }) },
      raw: { name: "array", run: (i) => log.slice(i % 1000, (i % 1000) + 10).map((t) => defaultCodec.decode(t)) },
      close: () => backend.close(),
    },
  ];
}
