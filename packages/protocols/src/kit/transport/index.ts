/**
 * The transport protocol's shared layer: {@link createTransport} builds the public
 * `Transport` from a backend's {@link TransportDriver}.
 *
 * @example
 * ```ts
 * import { createTransport } from "@core/protocols/kit";
 * ```
 *
 * @packageDocumentation
 */
export { createTransport } from "./create-transport.js";
export { DedupWindow, MAX_DEDUP_KEYS } from "./dedup-window.js";
export { deliverFrom } from "./delivery-loop.js";
export { waitForNotBefore } from "./not-before.js";
export { holdProcess, sleepUnlessAborted } from "./process-hold.js";
export { type DecodedDelivery, decodeDelivery, decodeStoredMessage } from "./stored-message.js";
export { type SubscriberPosition, SubscriberPositions, subscriberPositions } from "./subscriber-positions.js";
export {
  type DeliverySource,
  type NativeSubscribe,
  type OutgoingMessage,
  RETAINED_MESSAGES,
  type StoredMessage,
  type SubscribeStart,
  type TransportDriver,
  type TransportSettings,
} from "./transport-driver.js";
