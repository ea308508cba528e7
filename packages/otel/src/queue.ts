import type {
  GetOptions,
  GroupEntry,
  GroupStreamOptions,
  PutOptions,
  Queue,
  QueueEntry,
  QueueStats,
  ReadOptions,
  StreamOptions,
  TrimOptions,
} from "@core/protocols";
import { type Link, type SpanContext, SpanKind } from "@opentelemetry/api";
import { unwrapEntry, wrapValue } from "./queue-envelope.js";
import { ATTR } from "./semconv.js";
import { MessagingSpecs } from "./specs.js";
import type { Telemetry } from "./telemetry.js";
import { toCarrier } from "./trace-context.js";

function linksOf(producers: (SpanContext | undefined)[]): Link[] {
  const links: Link[] = [];
  for (const context of producers) if (context !== undefined) links.push({ context });
  return links;
}

function unwrapAll<V>(entries: QueueEntry<V>[]): { entries: QueueEntry<V>[]; links: Link[] } {
  const unwrapped = entries.map(unwrapEntry);
  return { entries: unwrapped.map((u) => u.entry), links: linksOf(unwrapped.map((u) => u.producer)) };
}

/**
 * A queue whose operations are `messaging.*` spans and duration samples: `put`/`putBatch`
 * are PRODUCER `send` spans whose W3C trace context is stored with each value (see
 * `TracedValue`), `get` is a `receive` span linked to every producer of the entries it
 * returns, and `stream` yields each entry with its own `receive` span linked to its producer.
 * Values come back unwrapped, whether or not a provider is registered.
 *
 * @example
 * ```ts
 * const events = new InstrumentedQueue(backend.queue("events"), telemetry, "redis");
 * ```
 */
export class InstrumentedQueue<V> implements Queue<V> {
  readonly #inner: Queue<V>;
  readonly #telemetry: Telemetry;
  readonly #system: string;
  readonly #specs: MessagingSpecs;

  constructor(inner: Queue<V>, telemetry: Telemetry, system: string, bucket?: number) {
    this.#inner = inner;
    this.#telemetry = telemetry;
    this.#system = system;
    const extra = bucket === undefined ? {} : { [ATTR.messagingDestinationPartitionId]: String(bucket) };
    this.#specs = new MessagingSpecs(system, inner.name, extra);
  }

  get name(): string {
    return this.#inner.name;
  }
  get buckets(): number {
    return this.#inner.buckets;
  }

  #admin<T>(name: string, fn: () => Promise<T>, type?: "settle"): Promise<T> {
    if (!this.#telemetry.enabled()) return fn();
    return this.#telemetry.run(this.#specs.of({ name, kind: SpanKind.CLIENT, ...(type ? { type } : {}) }), fn);
  }

  put(value: V, options?: PutOptions): Promise<number> {
    if (!this.#telemetry.enabled()) return this.#inner.put(value, options);
    const spec = this.#specs.of({ name: "put", type: "send", kind: SpanKind.PRODUCER });
    return this.#telemetry.run(spec, (span) => {
      const carrier = toCarrier(span.spanContext());
      return this.#inner.put(carrier ? (wrapValue(value, carrier) as V) : value, options);
    });
  }

  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    if (!this.#telemetry.enabled() || !Array.isArray(values)) return this.#inner.putBatch(values, options);
    const extra = values.length >= 2 ? { [ATTR.messagingBatchMessageCount]: values.length } : undefined;
    const spec = this.#specs.of({
      name: "putBatch",
      type: "send",
      kind: SpanKind.PRODUCER,
      ...(extra ? { extra } : {}),
    });
    return this.#telemetry.run(spec, (span) => {
      const carrier = toCarrier(span.spanContext());
      const batch = carrier ? values.map((value) => wrapValue(value, carrier) as V) : values;
      return this.#inner.putBatch(batch, options);
    });
  }

  async get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    if (!this.#telemetry.enabled()) return unwrapAll(await this.#inner.get(options)).entries;
    const spec = this.#specs.of({ name: "get", type: "receive", kind: SpanKind.CLIENT });
    return this.#telemetry.run(spec, async (span) => {
      const { entries, links } = unwrapAll(await this.#inner.get(options));
      if (entries.length >= 2) span.setAttribute(ATTR.messagingBatchMessageCount, entries.length);
      // The producers are known only once the entries are read, so the links come after the start.
      if (links.length > 0) span.addLinks(links);
      return entries;
    });
  }

  stream(options: GroupStreamOptions): AsyncIterable<GroupEntry<V>>;
  stream(options?: StreamOptions): AsyncIterable<QueueEntry<V>>;
  stream(options?: StreamOptions): AsyncIterable<QueueEntry<V>> {
    return this.#received("stream", () => this.#inner.stream(options));
  }

  read(fromOffset: number, options?: ReadOptions): AsyncIterable<QueueEntry<V>> {
    return this.#received("read", () => this.#inner.read(fromOffset, options));
  }

  /** Yields each entry of `open()` unwrapped, with its own `receive` span linked to its producer. */
  #received(name: string, open: () => AsyncIterable<QueueEntry<V>>): AsyncIterable<QueueEntry<V>> {
    const telemetry = this.#telemetry;
    const specs = this.#specs;
    return {
      async *[Symbol.asyncIterator]() {
        const iterator = open()[Symbol.asyncIterator]();
        try {
          while (true) {
            const started = performance.now();
            const startTime = Date.now();
            const next = await iterator.next();
            if (next.done) return;
            const { entry, producer } = unwrapEntry(next.value);
            if (telemetry.enabled()) {
              const links = producer ? [{ context: producer }] : undefined;
              const spec = specs.of({
                name,
                type: "receive",
                kind: SpanKind.CLIENT,
                ...(links ? { links } : {}),
              });
              telemetry.startSpan(spec, undefined, startTime).end();
              telemetry.record(spec, performance.now() - started, undefined);
            }
            yield entry;
          }
        } finally {
          await iterator.return?.();
        }
      },
    };
  }

  flush(): Promise<void> {
    return this.#admin("flush", () => this.#inner.flush());
  }
  count(): Promise<number> {
    return this.#admin("count", () => this.#inner.count());
  }
  stats(): Promise<QueueStats> {
    return this.#admin("stats", () => this.#inner.stats());
  }
  commit(group: string, nextOffset: number): Promise<void> {
    return this.#admin("commit", () => this.#inner.commit(group, nextOffset), "settle");
  }
  committed(group: string): Promise<number> {
    return this.#admin("committed", () => this.#inner.committed(group));
  }
  trim(options: TrimOptions): Promise<number> {
    return this.#admin("trim", () => this.#inner.trim(options));
  }
  bucket(index: number): Queue<V> {
    return new InstrumentedQueue(this.#inner.bucket(index), this.#telemetry, this.#system, index);
  }
}
