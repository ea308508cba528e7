import {
  type Attributes,
  type Context,
  context,
  createNoopMeter,
  type Histogram,
  type Link,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { ATTR, METRIC } from "./semconv.js";

/** Options of `instrument()`: where spans and metrics go. */
export interface TelemetryOptions {
  /** Default: the global provider (`trace.setGlobalTracerProvider`, registered by the OTel SDK). */
  tracerProvider?: TracerProvider;
  /** Default: the global provider (`metrics.setGlobalMeterProvider`). */
  meterProvider?: MeterProvider;
}

/** Which duration histogram an operation records into. */
export type MetricKind = "db" | "messaging" | "process";

/** One operation: its span name, kind, attributes, and links to producer spans. */
export interface OperationSpec {
  /** Span name, `"{operation} {target}"` per the conventions. */
  name: string;
  kind: SpanKind;
  metric: MetricKind;
  attributes: Attributes;
  links?: Link[];
}

const SCOPE = "@core/otel";
// The no-op provider a ProxyTracerProvider delegates to until an SDK registers one, and the
// no-op meter's class: both reached through public API, to tell "nothing registered" apart.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOOP_METER = createNoopMeter().constructor;

/**
 * Operations between two looks for a global meter provider registered after `instrument()`.
 *
 * @example
 * ```ts
 * console.log(`a late global meter provider is seen within ${METER_RECHECK} operations`);
 * ```
 */
export const METER_RECHECK = 1000;

/**
 * The error class an operation ended with, for `error.type`: a `BackendError`'s stable
 * `code` (`INVALID_ARGUMENT`, `CONNECTION`, …), else the error's class name.
 *
 * @example
 * ```ts
 * errorType(Object.assign(new Error("x"), { code: "TIMEOUT" })); // "TIMEOUT"
 * ```
 */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "") return code;
  return error instanceof Error ? error.constructor.name : "_OTHER";
}

/**
 * Spans and duration histograms for every instrumented store. When neither a tracer nor a
 * meter provider is registered, {@link enabled} is false and callers run the bare
 * operation: the cost is two identity checks.
 *
 * @example
 * ```ts
 * const telemetry = new Telemetry({});
 * await telemetry.run(spec, () => cache.get("k"));
 * ```
 */
export class Telemetry {
  readonly #tracer: Tracer;
  /** The global proxy, whose delegate an SDK sets when it registers; undefined for a given provider. */
  readonly #proxy: ProxyTracerProvider | undefined;
  readonly #meterProvider: MeterProvider | undefined;
  #meterSource: MeterProvider | undefined;
  #histograms: Record<MetricKind, Histogram> | undefined;
  #countdown = 0;

  constructor(options: TelemetryOptions) {
    const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
    this.#proxy = tracerProvider instanceof ProxyTracerProvider ? tracerProvider : undefined;
    this.#tracer = tracerProvider.getTracer(SCOPE);
    this.#meterProvider = options.meterProvider;
    this.#refreshMeters();
  }

  /**
   * False when no provider is registered: callers then skip all telemetry work. This runs
   * on every operation, so it is two field reads and one call. A global tracer provider
   * registered later counts at once (through the API's proxy); a global meter provider
   * registered later is looked up again every {@link METER_RECHECK} operations, because the
   * metrics API has no proxy and its global lookup costs more than the rest of this check.
   */
  enabled(): boolean {
    if (this.#histograms !== undefined) return true;
    if (--this.#countdown <= 0) this.#refreshMeters();
    return this.#histograms !== undefined || this.tracing();
  }

  /** True when spans are recorded somewhere (a provider was given or registered). */
  tracing(): boolean {
    return this.#proxy === undefined || this.#proxy.getDelegate() !== NOOP_TRACER_PROVIDER;
  }

  /** Starts a span (ended by the caller), as a child of `parent` (default: the active context). */
  startSpan(spec: OperationSpec, parent: Context = context.active(), startTime?: number): Span {
    const options: SpanOptions = { kind: spec.kind, attributes: spec.attributes };
    if (spec.links) options.links = spec.links;
    if (startTime !== undefined) options.startTime = startTime;
    return this.#tracer.startSpan(spec.name, options, parent);
  }

  /**
   * Runs `fn` inside a span (made active for it) and records its duration; on failure the
   * span gets `error.type` and an error status, and the error is rethrown unchanged.
   */
  async run<T>(spec: OperationSpec, fn: (span: Span, active: Context) => Promise<T>, parent?: Context): Promise<T> {
    const started = performance.now();
    const span = this.startSpan(spec, parent);
    const active = trace.setSpan(parent ?? context.active(), span);
    let failure: string | undefined;
    try {
      return await context.with(active, () => fn(span, active));
    } catch (error) {
      failure = markFailed(span, error);
      throw error;
    } finally {
      span.end();
      this.record(spec, performance.now() - started, failure);
    }
  }

  /**
   * One span over a whole iteration (first `next()` to the end, an early `return()` or a
   * failure), for `keys()` and `query()`.
   */
  iterate<T>(spec: OperationSpec, source: () => AsyncIterable<T>): AsyncIterable<T> {
    const telemetry = this;
    return {
      async *[Symbol.asyncIterator]() {
        const started = performance.now();
        const span = telemetry.startSpan(spec);
        let failure: string | undefined;
        try {
          yield* source();
        } catch (error) {
          failure = markFailed(span, error);
          throw error;
        } finally {
          span.end();
          telemetry.record(spec, performance.now() - started, failure);
        }
      },
    };
  }

  /** Records one duration (ms) into the spec's histogram, with its low-cardinality attributes. */
  record(spec: OperationSpec, ms: number, failure: string | undefined): void {
    const histograms = this.#meters();
    if (histograms === undefined) return;
    const attributes: Attributes = { ...spec.attributes };
    // A message id is one value per message: fine on a span, unbounded on a metric.
    delete attributes[ATTR.messagingMessageId];
    if (failure !== undefined) attributes[ATTR.errorType] = failure;
    histograms[spec.metric].record(ms / 1000, attributes);
  }

  #meters(): Record<MetricKind, Histogram> | undefined {
    return this.#histograms;
  }

  #refreshMeters(): void {
    this.#countdown = METER_RECHECK;
    const provider = this.#meterProvider ?? metrics.getMeterProvider();
    if (provider === this.#meterSource) return;
    this.#meterSource = provider;
    const meter = provider.getMeter(SCOPE);
    if (meter.constructor === NOOP_METER) {
      this.#histograms = undefined;
      return;
    }
    this.#histograms = {
      db: meter.createHistogram(METRIC.dbDuration, {
        unit: "s",
        description: "Duration of database client operations.",
      }),
      messaging: meter.createHistogram(METRIC.messagingDuration, {
        unit: "s",
        description: "Duration of messaging operations initiated by a producer or consumer client.",
      }),
      process: meter.createHistogram(METRIC.processDuration, {
        unit: "s",
        description: "Duration of processing operation.",
      }),
    };
  }
}

export { SpanKind };

/** Marks `span` failed by `error` (`error.type` and an error status); returns the error type. */
function markFailed(span: Span, error: unknown): string {
  const type = errorType(error);
  span.setAttribute(ATTR.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  return type;
}
