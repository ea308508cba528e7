import type { BenchResult, PeerLatencyResult, PeerResult } from "../results.js";
import { peerRatio } from "../results.js";
import { BACKENDS } from "../targets.js";
import { CACHE_PEERS } from "./cache-peers.js";
import { QUEUE_PEERS } from "./queue-peers.js";
import { peerLabel } from "./types.js";

/**
 * Peers the issue names that this harness does not run, with the reason (empty when all
 * are installed). Kept here so the report and its notes say so.
 */
export const PEERS_LEFT_OUT: readonly { peer: string; why: string }[] = [];

const INSTALL_NOTE =
  "`@keyv/sqlite` depends on `sqlite3` 5, whose prebuilt binary cannot be downloaded on this machine; `pnpm install` compiles it from source (about a minute on two cores; `sqlite3` is listed in `onlyBuiltDependencies`). BullMQ's optional `msgpackr-extract` build is skipped (it falls back to JavaScript).";

const n0 = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
const x2 = (n: number) => `**${n.toFixed(2)}×**`;

function cacheTable(rows: readonly PeerResult[]): string[] {
  const out = [
    "| backend | operation | peer (call) | ours calls/s | peer calls/s | ours/peer | ours p50 / p99 µs | peer p50 / p99 µs |",
    "|---|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows)
    out.push(
      `| ${r.backend} | ${r.operation} | ${r.peer} (\`${r.peerCall}\`) | ${n0(r.ours.opsPerSec)} | ${n0(r.theirs.opsPerSec)} | ${x2(peerRatio(r))} | ${n0(r.ours.p50Us)} / ${n0(r.ours.p99Us)} | ${n0(r.theirs.p50Us)} / ${n0(r.theirs.p99Us)} |`,
    );
  return out;
}

function enqueueTable(rows: readonly PeerResult[]): string[] {
  const out = [
    "| backend | operation | ours (call) | peer (call) | ours items/s | peer items/s | ours/peer | ours p50 / p99 µs | peer p50 / p99 µs |",
    "|---|---|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows)
    out.push(
      `| ${r.backend} | ${r.operation} | ${r.protocol} \`${r.oursCall}\` | ${r.peer} \`${r.peerCall}\` | ${n0(r.ours.opsPerSec * r.batch)} | ${n0(r.theirs.opsPerSec * r.batch)} | ${x2(peerRatio(r))} | ${n0(r.ours.p50Us)} / ${n0(r.ours.p99Us)} | ${n0(r.theirs.p50Us)} / ${n0(r.theirs.p99Us)} |`,
    );
  return out;
}

function latencyTable(rows: readonly PeerLatencyResult[]): string[] {
  const out = [
    "| backend | who | path | samples | p50 ms | p99 ms | max ms | ours/peer (peer p50 ÷ our p50) |",
    "|---|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const peer = rows.find((p) => p.peer === r.peer && !p.subject.startsWith("ours"));
    const speed = r.subject.startsWith("ours") && peer && r.p50Ms > 0 ? x2(peer.p50Ms / r.p50Ms) : "—";
    out.push(
      `| ${r.backend} | ${r.subject} | ${r.path} | ${r.samples} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.maxMs.toFixed(2)} | ${speed} |`,
    );
  }
  return out;
}

const byBackend = <T extends { backend: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => BACKENDS.indexOf(a.backend as never) - BACKENDS.indexOf(b.backend as never));

/**
 * The "vs the peers" section of BENCHMARKS.md: method, each peer's configuration, cache
 * ratios, enqueue throughput ratios and end-to-end latency.
 *
 * @example
 * ```ts
 * lines.push(...renderPeers(results));
 * ```
 */
export function renderPeers(results: readonly BenchResult[]): string[] {
  const peers = results.filter((r): r is PeerResult => r.kind === "peer");
  const latency = results.filter((r): r is PeerLatencyResult => r.kind === "peer-latency");
  const specs = [...CACHE_PEERS, ...QUEUE_PEERS];
  const out = [
    "## vs the peers",
    "",
    "The libraries users would pick instead, installed as dev dependencies of `apps/bench` only (exact versions), each measured against ours on the same backend and server, in the same run, with the same value (~100 bytes) and the same interleaved rounds as above. **ours/peer = our calls/s ÷ the peer's calls/s** (above 1.00: ours is faster). Every peer runs with its defaults, isolated (own directory, schema, namespace or key prefix) and removed after.",
    "",
    ...specs.map((s) => `- **${peerLabel(s)}** (${s.backend}): ${s.note}.`),
    ...PEERS_LEFT_OUT.map((p) => `- **${p.peer}**: not benchmarked — ${p.why}.`),
    "",
    `Notes: ${INSTALL_NOTE}${PEERS_LEFT_OUT.length === 0 ? " Every peer the issue names is installed and measured." : ""}`,
    "",
  ];
  const cache = byBackend(peers.filter((p) => p.protocol === "cache"));
  if (cache.length) out.push("### Cache", "", ...cacheTable(cache), "");
  const enqueue = byBackend(peers.filter((p) => p.protocol !== "cache"));
  if (enqueue.length)
    out.push(
      "### Enqueue throughput: our queue and transport vs BullMQ and pg-boss",
      "",
      "Nobody consumes these queues during the measurement. Ours: `queue.put` / `putBatch` and `transport.send` (durable) with one or a batch of messages.",
      "",
      ...enqueueTable(enqueue),
      "",
    );
  if (latency.length)
    out.push(
      "### End-to-end latency (enqueue → worker / handler receives it)",
      "",
      "One job at a time into an idle consumer (the sender waits 5 ms first), measured from the send time carried in the job to the moment the consumer is handed it. Ours: a blocked `queue.stream({ block: true })` and `transport.subscribe` with a group. Peers: a BullMQ `Worker`, a pg-boss `work` handler. A polling peer gets fewer samples (the scenario has a time budget).",
      "",
      ...latencyTable(byBackend(latency)),
      "",
    );
  if (!cache.length && !enqueue.length && !latency.length)
    out.push("No peer scenario produced a number in this run.", "");
  return out;
}
