import { readFileSync } from "node:fs";
import type { BackendName } from "../targets.js";

/** A peer cache as the scenarios drive it: values go in and come out as objects. */
export interface PeerCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  getMany(keys: string[]): Promise<unknown[]>;
  setMany(entries: readonly (readonly [string, unknown])[]): Promise<unknown>;
  /** Disconnects and removes everything the peer wrote. */
  close(): Promise<void>;
}

/**
 * A peer job queue: a throughput queue that nobody consumes, and a latency queue with one
 * worker (kept apart so the worker never chews through the throughput backlog).
 */
export interface PeerQueue {
  enqueue(value: unknown): Promise<unknown>;
  enqueueBatch(values: readonly unknown[]): Promise<unknown>;
  /** Starts the latency queue's worker; `onJob` gets each job's value. */
  startWorker(onJob: (value: unknown) => void): Promise<void>;
  /** Enqueues one job on the latency queue. */
  sendToWorker(value: unknown): Promise<unknown>;
  /** Stops the worker, disconnects and removes everything the peer wrote. */
  close(): Promise<void>;
}

/** How a peer is described in the report and how it is opened. */
export interface PeerSpec<T> {
  /** Our backend it is compared with (same server, same run). */
  backend: BackendName;
  /** e.g. "Keyv Redis". */
  name: string;
  /** The npm package whose pinned version names the peer. */
  pkg: string;
  /** Peer calls per operation, for the report (e.g. `{ single: "add", batch: "addBulk" }`). */
  calls: Record<string, string>;
  /** Configuration notes for the report (durability, polling…). */
  note: string;
  open(tag: string): Promise<T>;
}

let versions: Record<string, string> | undefined;

/**
 * The pinned version of a peer package, read from apps/bench/package.json (this file sits
 * two levels below it in both src/ and dist/).
 *
 * @example
 * ```ts
 * peerVersion("bullmq"); // "6.7.0"
 * ```
 */
export function peerVersion(pkg: string): string {
  versions ??= (() => {
    const json = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    return { ...json.dependencies, ...json.devDependencies };
  })();
  return versions[pkg] ?? "?";
}

/**
 * A peer's report label: name and pinned version.
 *
 * @example
 * ```ts
 * peerLabel(spec); // "Keyv Redis 5.1.6"
 * ```
 */
export function peerLabel(spec: { name: string; pkg: string }): string {
  return `${spec.name} ${peerVersion(spec.pkg)}`;
}
