import type { QueueEntry } from "@core/protocols";
import type { SpanContext } from "@opentelemetry/api";
import { fromCarrier, type TraceCarrier } from "./trace-context.js";

/**
 * The key that marks a queue value as wrapped by `@core/otel`.
 *
 * @example
 * ```ts
 * const traced = (value as Record<string, unknown>)[ENVELOPE_MARK] === 1;
 * ```
 */
export const ENVELOPE_MARK = "@core/otel";

/**
 * A queue value as an instrumented producer stores it: the original value plus the W3C
 * trace context of the producer span. Queue entries have no headers, so the context
 * travels in the value; instrumented readers unwrap it, raw readers see this object.
 */
export interface TracedValue<V> extends TraceCarrier {
  [ENVELOPE_MARK]: 1;
  value: V;
}

/**
 * Wraps a value with the producer's trace context.
 *
 * @example
 * ```ts
 * wrapValue({ type: "signup" }, { traceparent: "00-…-01" });
 * ```
 */
export function wrapValue<V>(value: V, carrier: TraceCarrier): TracedValue<V> {
  const traced: TracedValue<V> = { [ENVELOPE_MARK]: 1, traceparent: carrier.traceparent, value };
  if (carrier.tracestate !== undefined) traced.tracestate = carrier.tracestate;
  return traced;
}

function isTraced(value: unknown): value is TracedValue<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[ENVELOPE_MARK] === 1 &&
    typeof (value as Record<string, unknown>).traceparent === "string" &&
    Object.hasOwn(value, "value")
  );
}

/**
 * The entry with its original value, and the producer's span context when the value was
 * wrapped (entries of uninstrumented producers pass through unchanged).
 *
 * @example
 * ```ts
 * const { entry, producer } = unwrapEntry(await queue.get()[0]);
 * ```
 */
export function unwrapEntry<V>(entry: QueueEntry<V>): { entry: QueueEntry<V>; producer: SpanContext | undefined } {
  const value: unknown = entry.value;
  if (!isTraced(value)) return { entry, producer: undefined };
  const unwrapped: QueueEntry<V> & { commit?: () => Promise<void> } = { ...entry, value: value.value as V };
  // A group stream's entry commits through its own method (not copied by the spread).
  const commit = (entry as { commit?: unknown }).commit;
  if (typeof commit === "function") unwrapped.commit = () => commit.call(entry);
  return { entry: unwrapped, producer: fromCarrier(value.traceparent, value.tracestate) };
}
