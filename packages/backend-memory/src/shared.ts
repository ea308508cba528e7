import type { Lifecycle } from "@core/protocols/kit";

/**
 * State one {@link MemoryBackend} shares with its stores. Each protocol keeps its data in
 * its own map keyed by store name, so two handles with the same name share data and
 * different names never do.
 */
export interface MemoryShared {
  readonly lifecycle: Lifecycle;
  readonly sweepIntervalMs: number;
  /** Cache name → that cache's state (owned by cache.ts). */
  readonly caches: Map<string, unknown>;
  /** Topic name → that topic's state (owned by queue.ts). */
  readonly queues: Map<string, unknown>;
  /** Collection name → that collection's state (owned by records-driver.ts). */
  readonly records: Map<string, unknown>;
  /** Channel name → that channel's state (owned by transport.ts). */
  readonly channels: Map<string, unknown>;
}
