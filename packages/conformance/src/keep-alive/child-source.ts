/**
 * The program the keep-alive suite runs in a child Node process (as an ES module, with
 * `node --input-type=module -e`). It reads its configuration from the
 * `CORE_KEEP_ALIVE_CHILD` environment variable, opens the backend the caller described,
 * starts one blocking wait and reports over IPC. It never calls `process.exit`: whether it
 * ends is exactly what the suite checks. The IPC channel is unref'd, and `PipeWrap`
 * handles (stdio, IPC) are left out of the reported resources: they belong to the test.
 *
 * Messages to the parent: `ready` (with `baseline`, the ref'd resources after opening),
 * `ended` / `closed` (with `outcome` and `resources`), `error`; the `group` kind (the
 * crash test) reports `handled` (with `outcome`, the offset it holds uncommitted) and then
 * waits to be killed.
 * Messages from the parent: `end` (abort the stream / unsubscribe), `close` (backend.close()).
 */
export const CHILD_SOURCE = `
const config = JSON.parse(process.env.CORE_KEEP_ALIVE_CHILD);
const resources = () => process.getActiveResourcesInfo().filter((r) => r !== "PipeWrap").sort();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const within = (held, baseline) => {
  const left = [...baseline];
  for (const r of held) {
    const i = left.indexOf(r);
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
};
const report = (message) => process.send(message);
const describe = (err) => (err && err.code ? err.code + ": " + err.message : String(err && err.stack ? err.stack : err));

try {
  for (const specifier of config.imports ?? []) await import(specifier);
  const mod = await import(config.module);
  const open = mod[config.export];
  if (typeof open !== "function") throw new Error("export " + config.export + " of " + config.module + " is not a function");
  const backend = await open(config.argument);
  let end;
  let baseline = [];
  let outcome = "pending";
  let ended = Promise.resolve();
  if (config.kind === "group") {
    // A member that commits its first entry, handles the second and dies before committing it.
    const queue = backend.queue(config.name);
    const options = { group: config.group, autoCommit: false, leaseMs: config.leaseMs, batchSize: 4 };
    const iterator = queue.stream(options)[Symbol.asyncIterator]();
    const first = await iterator.next();
    await first.value.commit();
    const second = await iterator.next();
    setInterval(() => {}, 60_000); // held until the parent's SIGKILL
    report({ type: "handled", outcome: String(second.value.offset) });
    process.channel.unref();
    await new Promise(() => {});
  }
  if (config.kind === "stream") {
    const queue = backend.queue(config.name);
    await queue.put("warm-up");
    await queue.flush();
    await sleep(100);
    baseline = resources();
    const controller = new AbortController();
    ended = (async () => {
      for await (const entry of queue.stream({ block: true, offset: 1, signal: controller.signal })) void entry;
    })().then(
      () => { outcome = "ended"; },
      (err) => { outcome = err && err.code ? err.code : describe(err); },
    );
    end = () => controller.abort();
  } else {
    const bus = backend.transport();
    const message = { id: "warm-up", payload: 0, headers: {}, publishedAt: Date.now() };
    await bus.send(config.name, [message]);
    await sleep(100);
    baseline = resources();
    const subscription = await bus.subscribe(config.name, () => {});
    end = () => subscription.unsubscribe().then(() => { outcome = "unsubscribed"; });
    ended = new Promise(() => {}); // only the parent's command says when it is over
  }
  await sleep(100);
  process.on("message", async (command) => {
    try {
      if (command === "end") {
        await end();
        if (config.kind === "stream") await ended;
        const deadline = Date.now() + 3000;
        while (!within(resources(), baseline) && Date.now() < deadline) await sleep(20);
        report({ type: "ended", outcome, resources: resources() });
      } else if (command === "close") {
        await backend.close();
        if (config.kind === "stream") await ended;
        else outcome = "closed";
        report({ type: "closed", outcome, resources: resources() });
      }
    } catch (err) {
      report({ type: "error", error: describe(err) });
    }
  });
  process.channel.unref();
  report({ type: "ready", baseline });
} catch (err) {
  report({ type: "error", error: describe(err) });
  process.channel.unref();
}
`;
