import { notSupported, type Transport, type TransportOptions } from "@core/protocols";
import type { MemoryShared } from "./shared.js";

// PLACEHOLDER until the transport helper replaces this whole file.
export function createMemoryTransport(_shared: MemoryShared, _options?: TransportOptions): Transport {
  throw notSupported("memory", "transport");
}
