import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "@core/protocols";
import { fileName } from "./names.js";

/** A store kind whose log the tail tests damage, with what they need of it. */
export interface TailSubject {
  readonly kind: "queue" | "records" | "cache";
  /** Stores `values`, each as its own record (own write). */
  writeEach(backend: Backend, values: readonly string[]): Promise<void>;
  /** Stores `values` as one batch (`putBatch`, `storeBatch`, `setMany`). */
  writeBatch(backend: Backend, values: readonly string[]): Promise<void>;
  /** The values stored, in write order (`keys` lists every value ever written). */
  read(backend: Backend, keys: readonly string[]): Promise<string[]>;
  /** The log file (the queue's only segment). */
  file(directory: string): string;
  /** `stats()` counters, where the store has `stats()`. */
  counters(backend: Backend): Promise<{ truncatedBytes: number; damagedRecords: number } | undefined>;
}

const STORE = "t";

async function counters(stats: Promise<object>): Promise<{ truncatedBytes: number; damagedRecords: number }> {
  const { truncatedBytes, damagedRecords } = (await stats) as { truncatedBytes: number; damagedRecords: number };
  return { truncatedBytes, damagedRecords };
}

const queue: TailSubject = {
  kind: "queue",
  async writeEach(backend, values) {
    const q = backend.queue<string>(STORE);
    for (const v of values) {
      await q.put(v);
      await q.flush();
    }
  },
  async writeBatch(backend, values) {
    const q = backend.queue<string>(STORE);
    await q.putBatch(values);
    await q.flush();
  },
  async read(backend) {
    const q = backend.queue<string>(STORE);
    const out: string[] = [];
    for await (const e of q.stream()) out.push(e.value);
    return out;
  },
  file(directory) {
    const dir = join(directory, "queue", fileName(STORE));
    const [segment] = readdirSync(dir).filter((f) => f.startsWith("seg-"));
    return join(dir, segment as string);
  },
  counters: (backend) => counters(backend.queue(STORE).stats()),
};

const records: TailSubject = {
  kind: "records",
  async writeEach(backend, values) {
    for (const v of values) await backend.records(STORE).store({ id: v, naturalKey: v, content: { v } });
  },
  async writeBatch(backend, values) {
    await backend.records(STORE).storeBatch(values.map((v) => ({ id: v, naturalKey: v, content: { v } })));
  },
  async read(backend, keys) {
    const out: string[] = [];
    for (const k of keys) {
      const r = await backend.records(STORE).get(k);
      if (r !== null) out.push((r.content as { v: string }).v);
    }
    return out;
  },
  file: (directory) => join(directory, "records", fileName(STORE), "log"),
  counters: async () => undefined,
};

const cache: TailSubject = {
  kind: "cache",
  async writeEach(backend, values) {
    for (const v of values) await backend.cache<string>(STORE).set(v, v);
  },
  async writeBatch(backend, values) {
    await backend.cache<string>(STORE).setMany(values.map((v) => ({ key: v, value: v })));
  },
  async read(backend, keys) {
    const values = await backend.cache<string>(STORE).getMany(keys);
    return values.filter((v): v is string => v !== undefined);
  },
  file: (directory) => join(directory, "cache", fileName(STORE), "log"),
  counters: (backend) => counters(backend.cache(STORE).stats()),
};

/** The three logs the tail rule applies to. */
export const TAIL_SUBJECTS: readonly TailSubject[] = [queue, records, cache];

/**
 * Deterministic bytes (xorshift32 from `seed`): garbage that is the same on every run.
 *
 * @example
 * ```ts
 * const garbage = noise(300, 7);
 * ```
 */
export function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
