import type { Message } from "@core/protocols";
import { type Case, compare } from "../measure.js";
import { reason } from "../targets.js";
import { withTimeout } from "../timeout.js";
import { VALUE } from "../workload.js";
import { endToEnd, latencyStats, type StartConsumer } from "./latency.js";
import { enqueueOperations, latencySubjects, scenarioLabel } from "./plan.js";
import { missing, OPEN_TIMEOUT_MS, type Run, scenario } from "./scenario.js";
import { type PeerQueue, type PeerSpec, peerLabel } from "./types.js";

/**
 * One queue peer against our queue and transport on the same backend: enqueue throughput
 * (single and batch, all three interleaved in one comparison) and enqueue → consumer
 * latency of each.
 *
 * @example
 * ```ts
 * await queuePeer(run, QUEUE_PEERS[0]!);
 * ```
 */
export async function queuePeer(run: Run, spec: PeerSpec<PeerQueue>): Promise<void> {
  const peer = peerLabel(spec);
  const { batch: n, latencySamples, latencyBudgetMs } = run.profile.peers;
  const ops = enqueueOperations(run.profile);
  const throughputLabels = ops.map((op) =>
    ["queue", "transport"].map((p) => scenarioLabel(run.backend, peer, `${p} ${op}`)),
  );
  const latencyLabels = latencySubjects(spec.name).map((s) => scenarioLabel(run.backend, peer, `latency ${s}`));
  const all = [...throughputLabels.flat(), ...latencyLabels];
  const caps = run.ours.capabilities;
  if (!caps.queue || !caps.transport || !caps.blockingStream) {
    const lacking = !caps.queue ? "queue" : !caps.transport ? "transport" : "blockingStream";
    for (const l of all) missing(run, l, `capability ${lacking} is false`, true);
    for (const l of all) run.progress.step(l);
    return;
  }
  let theirs: PeerQueue;
  try {
    theirs = await withTimeout(spec.open(run.tag), OPEN_TIMEOUT_MS, `opening ${peer}`);
  } catch (err) {
    for (const l of all) missing(run, l, `${peer} could not be opened: ${reason(err)}`);
    for (const l of all) run.progress.step(l);
    return;
  }
  const transport = run.ours.transport();
  let seq = 0;
  const message = (payload: unknown): Message => ({
    id: `${run.tag}-${seq++}`,
    payload,
    headers: {},
    publishedAt: Date.now(),
  });
  try {
    const queue = run.ours.queue<unknown>(`peer-tput-${run.tag}`);
    const values = Array.from({ length: n }, () => VALUE);
    const sides: [string, string, string, Case["run"], Case["run"], Case["run"]][] = [
      [
        "put",
        "send(1 message)",
        spec.calls.single!,
        () => queue.put(VALUE),
        () => transport.send(`peer-tput-${run.tag}`, [message(VALUE)]),
        () => theirs.enqueue(VALUE),
      ],
      [
        `putBatch(${n})`,
        `send(${n} messages)`,
        `${spec.calls.batch}(${n})`,
        () => queue.putBatch(values),
        () =>
          transport.send(
            `peer-tput-${run.tag}`,
            values.map((v) => message(v)),
          ),
        () => theirs.enqueueBatch(values),
      ],
    ];
    for (const [index, [queueCall, transportCall, peerCall, q, t, p]] of sides.entries()) {
      await scenario(run, throughputLabels[index]!, async () => {
        const [mq, mt, mp] = await compare(
          [
            { name: "ours queue", run: q },
            { name: "ours transport", run: t },
            { name: peer, run: p },
          ],
          run.profile.measure,
        );
        const base = { backend: run.backend, operation: ops[index]!, batch: index === 0 ? 1 : n, peer };
        run.out.push({
          ...base,
          kind: "peer",
          protocol: "queue",
          oursCall: queueCall,
          peerCall,
          ours: mq!,
          theirs: mp!,
        });
        run.out.push({
          ...base,
          kind: "peer",
          protocol: "transport",
          oursCall: transportCall,
          peerCall,
          ours: mt!,
          theirs: mp!,
        });
      });
    }

    const latencyQueue = run.ours.queue<unknown>(`peer-lat-${run.tag}`);
    const channel = `peer-lat-${run.tag}`;
    const consumers: [string, StartConsumer, (v: unknown) => Promise<unknown>][] = [
      [
        "put → blocked stream",
        async (onValue) => {
          const abort = new AbortController();
          const stream = latencyQueue.stream({ offset: await latencyQueue.count(), block: true, signal: abort.signal });
          const reading = (async () => {
            for await (const entry of stream) onValue(entry.value);
          })().catch(() => {});
          return async () => {
            abort.abort();
            await withTimeout(reading, 5_000, "ending the blocked stream").catch(() => {});
          };
        },
        (v) => latencyQueue.put(v),
      ],
      [
        "send → subscribe (group)",
        async (onValue) => {
          const sub = await transport.subscribe(channel, (m) => onValue(m.payload), { group: "bench" });
          return () => sub.unsubscribe();
        },
        (v) => transport.send(channel, [message(v)]),
      ],
      [
        `${spec.calls.single} → ${spec.calls.worker}`,
        async (onValue) => {
          await theirs.startWorker(onValue);
          return undefined;
        },
        (v) => theirs.sendToWorker(v),
      ],
    ];
    for (const [index, [path, start, send]] of consumers.entries()) {
      await scenario(run, [latencyLabels[index]!], async () => {
        const ms = await endToEnd(start, send, latencySamples, latencyBudgetMs);
        run.out.push({
          kind: "peer-latency",
          backend: run.backend,
          peer,
          subject: latencySubjects(spec.name)[index]!,
          path,
          ...latencyStats(ms),
        });
      });
    }
  } finally {
    await withTimeout(transport.close(), OPEN_TIMEOUT_MS, "closing our transport").catch(() => {});
    await withTimeout(theirs.close(), OPEN_TIMEOUT_MS, `closing ${peer}`).catch(() => {});
  }
}
