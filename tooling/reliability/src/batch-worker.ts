/**
 * A child process of the batch crash test: opens the storage named in `REL_SPEC` through
 * the backend package's built entry point and writes large batches forever — a record
 * `storeBatch`, a queue `putBatch` + `flush`, a cache `setMany` — each of `REL_N` items of
 * about 4 KB, so one batch spans hundreds of pages. Before each batch it prints
 * `{"writing":kind,"batch":i}`, after it `{"acked":kind,"batch":i}`, until it is killed.
 *
 * Environment: `REL_SPEC` ({ entry, opener, options }), `REL_STORE` (the store name of
 * this round), `REL_N` (items per batch).
 *
 * @example
 * ```sh
 * REL_SPEC='{"entry":"…/dist/index.js","opener":"openFileBackend","options":{"directory":"d"}}' \
 * REL_STORE=round-0 REL_N=300 node dist/batch-worker.js
 * ```
 */
import { pathToFileURL } from "node:url";
import type { Backend } from "@core/protocols";

/** Bytes of padding in each item: with its framing, about 4 KB. */
const ITEM_PAD = 4000;

const env = process.env;
const spec = JSON.parse(env.REL_SPEC ?? "{}") as { entry: string; opener: string; options: unknown };
const store = env.REL_STORE ?? "batch";
const n = Number(env.REL_N ?? 300);
const emit = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

// Distinct per item so no compression or deduplication can shrink a batch.
const pad = (batch: number, j: number) =>
  `${batch}:${j}:`.padEnd(ITEM_PAD, String.fromCharCode(97 + ((batch + j) % 26)));

async function writeBatches(backend: Backend): Promise<void> {
  const records = backend.records(store);
  const queue = backend.queue(store);
  const cache = backend.cache(store);
  const items = (batch: number) => Array.from({ length: n }, (_, j) => ({ batch, j, pad: pad(batch, j) }));
  for (let batch = 0; ; batch++) {
    emit({ writing: "records", batch });
    await records.storeBatch(
      items(batch).map((c) => ({ id: `${c.batch}-${c.j}`, naturalKey: `nk-${c.batch}-${c.j}`, content: c })),
    );
    emit({ acked: "records", batch });
    emit({ writing: "queue", batch });
    await queue.putBatch(items(batch));
    await queue.flush();
    emit({ acked: "queue", batch });
    emit({ writing: "cache", batch });
    await cache.setMany(items(batch).map((c) => ({ key: `${c.batch}-${c.j}`, value: c })));
    emit({ acked: "cache", batch });
  }
}

async function main(): Promise<void> {
  const mod = (await import(pathToFileURL(spec.entry).href)) as Record<string, (o: unknown) => Promise<Backend>>;
  const open = mod[spec.opener];
  if (typeof open !== "function") throw new Error(`${spec.entry} has no ${spec.opener}()`);
  const backend = await open(spec.options);
  emit({ opened: true });
  await writeBatches(backend);
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  emit({ error: e.message ?? String(err), code: e.code });
  process.exitCode = 1;
});
