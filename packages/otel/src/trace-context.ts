import { createTraceState, isSpanContextValid, type SpanContext } from "@opentelemetry/api";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** The W3C trace context of one span, as strings that travel with a message. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/**
 * The W3C `traceparent` (and `tracestate`) of a span context, or `undefined` when the
 * context is invalid (no tracer provider: nothing to carry). Written here rather than
 * through the global propagator so the header is there whether or not the application
 * registered one.
 *
 * @example
 * ```ts
 * toCarrier(span.spanContext()); // { traceparent: "00-<trace>-<span>-01" }
 * ```
 */
export function toCarrier(context: SpanContext): TraceCarrier | undefined {
  if (!isSpanContextValid(context)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, "0");
  const carrier: TraceCarrier = { traceparent: `00-${context.traceId}-${context.spanId}-${flags}` };
  const state = context.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/**
 * The remote span context a `traceparent` names, or `undefined` for a missing or malformed
 * one (a message from an uninstrumented producer).
 *
 * @example
 * ```ts
 * const producer = fromCarrier(message.headers.traceparent, message.headers.tracestate);
 * ```
 */
export function fromCarrier(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== "string") return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === "ff") return undefined;
  const context: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16),
    isRemote: true,
  };
  if (typeof tracestate === "string" && tracestate !== "") context.traceState = createTraceState(tracestate);
  return isSpanContextValid(context) ? context : undefined;
}
