import type { ConformanceOptions } from "../options.js";
import { registerDeliveryTests } from "./delivery.js";
import { registerDurabilityTests } from "./durability.js";
import { describeTransportSuite } from "./harness.js";
import { registerLifecycleTests } from "./lifecycle.js";
import { registerOptionsTests } from "./options.js";
import { registerSendOptionsTests } from "./send-options.js";
import { registerTimingTests } from "./timing.js";

/**
 * The transport conformance suite (PROTOCOLS.md §4 and the `Transport` interface): in-order
 * delivery, exact round-trips, plain subscribers and competing groups, idempotency keys,
 * redelivery on handler failure (at-least-once), group positions across unsubscribe and
 * restart (persistent), delivery from other clients (crossProcess), validation, options
 * (one accepted range and meaning on every backend), per-send options (honoured or
 * NOT_SUPPORTED) and send results, and CLOSED. A backend without `capabilities.transport` must throw NOT_SUPPORTED from
 * `transport()`; the other tests are then reported as skipped with that reason.
 * Transports are opened with `{ redeliveryDelayMs: 20 }`.
 *
 * @example
 * ```ts
 * describeTransportConformance({ name: "memory", open: () => openMemoryBackend() });
 * ```
 */
export function describeTransportConformance(options: ConformanceOptions): void {
  describeTransportSuite(`transport conformance: ${options.name}`, options, (h) => {
    registerDeliveryTests(h);
    registerDurabilityTests(h);
    registerLifecycleTests(h);
    registerTimingTests(h);
    registerOptionsTests(h);
    registerSendOptionsTests(h);
  });
}
