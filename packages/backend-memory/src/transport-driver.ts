import type { TransportDriver } from "@core/protocols/kit";
import type { MemoryShared } from "./backend.js";
import { MemoryChannel } from "./transport-channel.js";

function channelOf(shared: MemoryShared, name: string): MemoryChannel {
  let channel = shared.channels.get(name) as MemoryChannel | undefined;
  if (!channel) shared.channels.set(name, (channel = new MemoryChannel()));
  return channel;
}

/**
 * The memory backend's transport storage, for `createTransport`. Channels live in the
 * backend, so every transport of one backend shares them (a message sent through one
 * reaches subscribers of another). Each channel keeps a log with group positions
 * ({@link MemoryChannel}); idempotency keys are remembered for `dedupWindowMs` (at most
 * 100 000 keys per channel). `send` reports each message's sequence number; `delayMs` is
 * kept with the message (a not-before time). The layer delivers: at-least-once within the process (or
 * at-most-once in `mode: "ephemeral"`); nothing survives the process.
 *
 * @example
 * ```ts
 * const bus = createTransport(memoryTransportDriver(shared), { redeliveryDelayMs: 50 });
 * await bus.subscribe("orders", (m) => console.log(m.payload), { group: "shipping" });
 * ```
 */
export function memoryTransportDriver(shared: MemoryShared): TransportDriver {
  return {
    name: "memory",
    lifecycle: shared.lifecycle,
    encodes: "payload",
    modes: ["durable", "ephemeral"],
    storesNotBefore: true,
    send: (channel, messages, settings) => ({
      ids: channelOf(shared, channel).append(messages, settings.dedupWindowMs),
    }),
    open: (channel, start) => channelOf(shared, channel).source(start),
  };
}
