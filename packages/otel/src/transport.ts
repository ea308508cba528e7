import type {
  Message,
  MessageHandler,
  SendOptionName,
  SendOptions,
  SendResult,
  SubscribeOptions,
  Subscription,
  Transport,
} from "@core/protocols";
import { type Attributes, ROOT_CONTEXT, SpanKind } from "@opentelemetry/api";
import { ATTR } from "./semconv.js";
import { MessagingSpecs } from "./specs.js";
import type { Telemetry } from "./telemetry.js";
import { fromCarrier, type TraceCarrier, toCarrier } from "./trace-context.js";

function withCarrier(messages: readonly Message[], carrier: TraceCarrier): readonly Message[] {
  // Anything malformed goes through untouched, so the transport rejects it with its own
  // INVALID_ARGUMENT, exactly as without instrumentation.
  if (!Array.isArray(messages)) return messages;
  const headersOk = (m: Message) =>
    typeof m === "object" && m !== null && typeof m.headers === "object" && m.headers !== null;
  if (!messages.every(headersOk)) return messages;
  // Copies: the caller's message objects are never changed.
  return messages.map((m) => ({ ...m, headers: { ...m.headers, ...carrier } }));
}

/**
 * A transport whose `send` is a PRODUCER span that writes W3C `traceparent` (and
 * `tracestate`) into every message's `headers`, and whose subscribers' handlers each run
 * in a CONSUMER `process` span linked to the producer span named by those headers
 * (`messaging.process.duration`). `subscribe` itself is a short CLIENT span.
 *
 * @example
 * ```ts
 * const bus = new InstrumentedTransport(backend.transport(), telemetry, "postgresql");
 * ```
 */
export class InstrumentedTransport implements Transport {
  readonly #inner: Transport;
  readonly #telemetry: Telemetry;
  readonly #system: string;

  constructor(inner: Transport, telemetry: Telemetry, system: string) {
    this.#inner = inner;
    this.#telemetry = telemetry;
    this.#system = system;
  }

  get name(): string {
    return this.#inner.name;
  }
  get delivery(): "at-least-once" | "at-most-once" {
    return this.#inner.delivery;
  }
  get sendOptions(): readonly SendOptionName[] | undefined {
    return this.#inner.sendOptions;
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: mirrors Transport.send, whose implementations may resolve with nothing.
  send(channel: string, messages: readonly Message[], options?: SendOptions): Promise<SendResult | void> {
    if (!this.#telemetry.enabled() || typeof channel !== "string") return this.#inner.send(channel, messages, options);
    const extra: Attributes = {};
    if (Array.isArray(messages) && messages.length >= 2) extra[ATTR.messagingBatchMessageCount] = messages.length;
    const only = Array.isArray(messages) && messages.length === 1 ? messages[0] : undefined;
    if (typeof only?.id === "string") extra[ATTR.messagingMessageId] = only.id;
    const spec = new MessagingSpecs(this.#system, channel).of({
      name: "send",
      type: "send",
      kind: SpanKind.PRODUCER,
      extra,
    });
    return this.#telemetry.run(spec, (span) => {
      const carrier = toCarrier(span.spanContext());
      return this.#inner.send(channel, carrier ? withCarrier(messages, carrier) : messages, options);
    });
  }

  subscribe(channel: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription> {
    if (typeof channel !== "string" || typeof handler !== "function")
      return this.#inner.subscribe(channel, handler, options);
    const telemetry = this.#telemetry;
    const group = options?.group;
    const specs = new MessagingSpecs(
      this.#system,
      channel,
      typeof group === "string" ? { [ATTR.messagingConsumerGroupName]: group } : {},
    );
    const traced: MessageHandler = async (message) => {
      if (!telemetry.enabled()) return handler(message);
      const producer = fromCarrier(message?.headers?.traceparent, message?.headers?.tracestate);
      const spec = specs.of({
        name: "process",
        type: "process",
        kind: SpanKind.CONSUMER,
        metric: "process",
        ...(typeof message?.id === "string" ? { extra: { [ATTR.messagingMessageId]: message.id } } : {}),
        ...(producer ? { links: [{ context: producer }] } : {}),
      });
      // A new trace per delivery, linked to the producer: the delivery loop's own context
      // (whatever was active at subscribe time) is not the message's parent.
      await telemetry.run(spec, async () => handler(message), ROOT_CONTEXT);
    };
    if (!telemetry.enabled()) return this.#inner.subscribe(channel, traced, options);
    return telemetry.run(specs.of({ name: "subscribe", kind: SpanKind.CLIENT }), () =>
      this.#inner.subscribe(channel, traced, options),
    );
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
