import type { Message, TransportOptions } from "@core/protocols";
import { createTransport, Lifecycle } from "@core/protocols/kit";
import type { MemoryShared } from "./backend.js";
import { memoryTransportDriver } from "./transport-driver.js";

// Shared by the memory transport tests that drive a channel directly (no backend), so they
// can inspect its log and dedup keys.

/** A fresh, empty memory backend state. */
export function sharedState(): MemoryShared {
  return {
    lifecycle: new Lifecycle("memory"),
    sweepIntervalMs: 1000,
    caches: new Map(),
    queues: new Map(),
    records: new Map(),
    channels: new Map(),
  };
}

/** Message number `n` (id `m<n>`, payload `n`), with an idempotency key when given. */
export const msg = (n: number, idempotencyKey?: string): Message => ({
  id: `m${n}`,
  payload: n,
  headers: {},
  publishedAt: Date.now(),
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

/** The memory transport over `shared`, built as `openMemoryBackend` builds it. */
export const createMemoryTransport = (shared: MemoryShared, options?: TransportOptions) =>
  createTransport(memoryTransportDriver(shared), options);
