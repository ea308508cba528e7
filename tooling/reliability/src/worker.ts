/**
 * A child process of the load and fault tests: opens the storage named in `REL_SPEC`
 * through the backend package's built entry point (as a user would), runs `REL_TASK` and
 * reports every acknowledged operation as one JSON line on stdout, so the parent knows
 * exactly what was acknowledged before a kill.
 *
 * Environment: `REL_SPEC` ({ entry, opener, options }), `REL_TASK`, `REL_ME` (worker
 * label), `REL_N` (size), `REL_START_AT` (epoch ms to start at, so workers collide).
 *
 * @example
 * ```sh
 * REL_SPEC='{"entry":"…/dist/index.js","opener":"openSqliteBackend","options":{"path":"db"}}' \
 * REL_TASK=hammer REL_ME=a REL_N=50 node dist/worker.js
 * ```
 */
import { pathToFileURL } from "node:url";
import type { Backend, Message } from "@core/protocols";

const env = process.env;
const spec = JSON.parse(env.REL_SPEC ?? "{}") as { entry: string; opener: string; options: unknown };
const task = env.REL_TASK ?? "";
const me = env.REL_ME ?? "w";
const n = Number(env.REL_N ?? 10);

const emit = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function startLine(): Promise<void> {
  const at = Number(env.REL_START_AT ?? 0);
  while (Date.now() < at) await new Promise((r) => setTimeout(r, 2));
}

// Every kind of write at once, each acknowledged write reported.
async function hammer(backend: Backend): Promise<void> {
  const cache = backend.cache("load-c");
  const queue = backend.queue("load-q");
  const records = backend.records("load-r");
  const batches: number[] = [];
  const wins: string[] = [];
  for (let i = 0; i < n; i++) {
    await cache.increment("n");
    const { first } = await queue.putBatch([`${me}:${i}:0`, `${me}:${i}:1`, `${me}:${i}:2`]);
    batches.push(first);
    await records.store({ id: `${me}-${i}`, naturalKey: `nk-${me}-${i}`, content: { me, i } });
    if (await records.recordSighting({ naturalKey: `s-${i}`, source: me })) wins.push(`s-${i}`);
  }
  await queue.flush();
  emit({ done: true, increments: n, batches, wins });
}

// Competing consumer of group "g": reports each message id after its handler returned.
async function consume(backend: Backend): Promise<void> {
  const bus = backend.transport({ redeliveryDelayMs: 20 });
  // REL_N subscriptions of the group in this one process.
  const subs = [];
  for (let i = 0; i < n; i++) {
    const handler = async (m: Message) => {
      emit({ got: m.id, sub: i });
    };
    subs.push(await bus.subscribe("load-ch", handler, { group: "g", fromStart: true }));
  }
  emit({ ready: true });
  // Runs until the parent closes stdin.
  await new Promise<void>((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.resume();
  });
  for (const sub of subs) await sub.unsubscribe();
}

// Writes forever, reporting each acknowledged write, until killed.
async function writeForever(backend: Backend): Promise<void> {
  const cache = backend.cache("fault-c");
  const queue = backend.queue("fault-q");
  const records = backend.records("fault-r");
  for (let i = 0; ; i++) {
    await cache.set(`k${i}`, { i, pad: "x".repeat(64) });
    emit({ cache: `k${i}` });
    const offset = await queue.put({ me, i });
    await queue.flush();
    emit({ queue: offset });
    await records.store({ id: `${me}-${i}`, naturalKey: `nk-${me}-${i}`, content: { i } });
    emit({ record: `${me}-${i}` });
  }
}

async function main(): Promise<void> {
  const mod = (await import(pathToFileURL(spec.entry).href)) as Record<string, (o: unknown) => Promise<Backend>>;
  const open = mod[spec.opener];
  if (typeof open !== "function") throw new Error(`${spec.entry} has no ${spec.opener}()`);
  const backend = await open(spec.options);
  emit({ opened: true });
  await startLine();
  if (task === "hammer") await hammer(backend);
  else if (task === "consume") await consume(backend);
  else if (task === "write-forever") await writeForever(backend);
  else throw new Error(`unknown task ${task}`);
  await backend.close();
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  emit({ error: e.message ?? String(err), code: e.code });
  process.exitCode = 1;
});
