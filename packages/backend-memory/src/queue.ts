import { notSupported, type Queue, type QueueOptions } from "@core/protocols";
import type { MemoryShared } from "./shared.js";

// PLACEHOLDER until the queue helper replaces this whole file.
export function createMemoryQueue<V>(_shared: MemoryShared, _name: string, _options?: QueueOptions): Queue<V> {
  throw notSupported("memory", "queue");
}
