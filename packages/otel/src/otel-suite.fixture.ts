import type { Backend, Message } from "@core/protocols";
import { type BackendKind, openTestBackend } from "@core/test-backends";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AggregationTemporality, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENVELOPE_MARK, instrument, systemName } from "./index.js";

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function unique(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The OpenTelemetry checks of `instrument()` on one backend: one span per operation with
 * the conventions' attributes, `error.type` on failure, duration histograms, and a consumer
 * span linked to its producer through a queue and through a transport.
 *
 * @example
 * ```ts
 * describeOtel("redis");
 * ```
 */
export function describeOtel(kind: BackendKind): void {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  let raw: Backend;
  let backend: Backend;
  let dispose: () => Promise<void>;
  const system = systemName(kind);
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const only = (name: string): ReadableSpan => {
    const found = spans().filter((s) => s.name === name);
    expect(found, `spans named ${name}: ${spans().map((s) => s.name)}`).toHaveLength(1);
    return found[0] as ReadableSpan;
  };

  beforeAll(async () => {
    const opened = await openTestBackend(kind, "otel");
    raw = opened.backend;
    dispose = opened.dispose;
    backend = instrument(raw, { tracerProvider, meterProvider });
  });
  afterAll(async () => {
    await dispose?.();
  });
  beforeEach(() => exporter.reset());

  describe(`@core/otel on ${kind}`, () => {
    it("makes every cache operation one CLIENT span with the database attributes", async () => {
      const name = unique("c");
      const cache = backend.cache<number>(name);
      await cache.set("a", 1);
      await cache.get("a");
      await cache.setMany([
        { key: "b", value: 2 },
        { key: "c", value: 3 },
      ]);
      await cache.getMany(["a", "b", "c"]);
      await cache.deleteMany(["b", "c"]);
      await cache.has("a");
      for await (const _ of cache.keys()) {
      }
      await cache.clear();
      expect(spans().map((s) => s.name)).toEqual(
        ["set", "get", "setMany", "getMany", "deleteMany", "has", "keys", "clear"].map((op) => `${op} ${name}`),
      );
      const get = only(`get ${name}`);
      expect(get.kind).toBe(SpanKind.CLIENT);
      expect(get.attributes).toEqual({
        "db.system.name": system,
        "db.operation.name": "get",
        "db.collection.name": name,
      });
      expect(only(`getMany ${name}`).attributes["db.operation.batch.size"]).toBe(3);
      expect(only(`setMany ${name}`).attributes["db.operation.batch.size"]).toBe(2);
    });

    it("marks a failed operation with error.type = the BackendError code and an error status", async () => {
      const name = unique("e");
      await expect(backend.cache(name).set("k", 1, { ttlMs: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      const span = only(`set ${name}`);
      expect(span.attributes["error.type"]).toBe("INVALID_ARGUMENT");
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    });

    it("records db.client.operation.duration with the span's attributes", async () => {
      const name = unique("m");
      await backend.cache(name).get("x");
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === "db.client.operation.duration");
      expect(metric?.descriptor.unit).toBe("s");
      const point = metric?.dataPoints.find((p) => p.attributes["db.collection.name"] === name);
      expect(point?.attributes).toEqual({
        "db.system.name": system,
        "db.operation.name": "get",
        "db.collection.name": name,
      });
    });

    it("makes record store operations spans, storeBatch with its batch size", async () => {
      const name = unique("r");
      const records = backend.records(name);
      await records.store({ id: "1", naturalKey: "n1", content: { a: 1 } });
      await records.storeBatch([
        { id: "2", naturalKey: "n2", content: {} },
        { id: "3", naturalKey: "n3", content: {} },
      ]);
      await records.get("1");
      expect(await records.count()).toBe(3);
      expect(spans().map((s) => s.name)).toEqual(["store", "storeBatch", "get", "count"].map((op) => `${op} ${name}`));
      expect(only(`storeBatch ${name}`).attributes).toMatchObject({
        "db.system.name": system,
        "db.operation.name": "storeBatch",
        "db.collection.name": name,
        "db.operation.batch.size": 2,
      });
      await records.clear();
    });

    it("links a queue consumer's receive spans (get and stream) to the producer's send span", async () => {
      const name = unique("q");
      const queue = backend.queue<{ n: number }>(name);
      await queue.put({ n: 1 });
      await queue.flush();
      const producer = spans().find((s) => s.name === `send ${name}`) as ReadableSpan;
      expect(producer.kind).toBe(SpanKind.PRODUCER);
      expect(producer.attributes).toEqual({
        "messaging.system": system,
        "messaging.destination.name": name,
        "messaging.operation.name": "put",
        "messaging.operation.type": "send",
      });
      exporter.reset();
      const entries = await queue.get({ offset: 0 });
      expect(entries.map((e) => e.value)).toEqual([{ n: 1 }]);
      const receive = only(`receive ${name}`);
      expect(receive.attributes["messaging.operation.name"]).toBe("get");
      expect(receive.links.map((l) => l.context.spanId)).toEqual([producer.spanContext().spanId]);
      expect(receive.links[0]?.context.traceId).toBe(producer.spanContext().traceId);
      exporter.reset();
      for await (const entry of queue.stream({ block: false })) expect(entry.value).toEqual({ n: 1 });
      const streamed = only(`receive ${name}`);
      expect(streamed.attributes["messaging.operation.name"]).toBe("stream");
      expect(streamed.links[0]?.context.spanId).toBe(producer.spanContext().spanId);
      // A reader without instrument() sees the envelope that carries the context.
      const [stored] = await raw.queue<Record<string, unknown>>(name).get({ offset: 0 });
      expect(stored?.value).toMatchObject({ [ENVELOPE_MARK]: 1, value: { n: 1 } });
      expect(stored?.value.traceparent).toBe(
        `00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`,
      );
    });

    it("links a transport subscriber's process span to the sender's span through traceparent headers", async () => {
      const channel = unique("ch");
      const bus = backend.transport();
      const received: Message[] = [];
      let delivered: () => void = () => {};
      const arrived = new Promise<void>((resolve) => {
        delivered = resolve;
      });
      const subscription = await bus.subscribe(channel, (message) => {
        received.push(message);
        delivered();
      });
      try {
        await bus.send(channel, [{ id: "m1", payload: { hello: 1 }, headers: { a: "b" }, publishedAt: Date.now() }]);
        await arrived;
      } finally {
        await subscription.unsubscribe();
      }
      const producer = only(`send ${channel}`);
      expect(producer.kind).toBe(SpanKind.PRODUCER);
      expect(producer.attributes).toMatchObject({ "messaging.system": system, "messaging.message.id": "m1" });
      const consumer = only(`process ${channel}`);
      expect(consumer.kind).toBe(SpanKind.CONSUMER);
      expect(consumer.attributes).toMatchObject({
        "messaging.system": system,
        "messaging.destination.name": channel,
        "messaging.operation.type": "process",
        "messaging.message.id": "m1",
      });
      expect(consumer.links[0]?.context).toMatchObject({
        traceId: producer.spanContext().traceId,
        spanId: producer.spanContext().spanId,
      });
      expect(received[0]?.headers).toMatchObject({ a: "b", traceparent: expect.stringMatching(/^00-/) });
    });

    it("passes send options through, says which the transport honours, and returns its send result", async () => {
      const bus = backend.transport();
      expect(bus.sendOptions).toEqual(["delayMs"]);
      const message = { id: "d1", payload: 1, headers: {}, publishedAt: Date.now() };
      const result = await bus.send(unique("ch"), [message], { delayMs: 5 });
      expect(result?.ids).toHaveLength(1);
      await expect(bus.send(unique("ch"), [message], { priority: 1 })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    });

    if (kind === "sqlite" || kind === "postgres") {
      it("makes SQL statements spans, children of their transaction's span", async () => {
        expect(backend.capabilities.sql).toBe(true);
        await backend.sql().transaction(async (tx) => {
          await tx.query({ text: "select 1 as one", params: [] });
        });
        const tx = only("transaction");
        const query = only("query");
        expect(query.attributes).toEqual({ "db.system.name": system, "db.operation.name": "query" });
        expect(query.parentSpanContext?.spanId).toBe(tx.spanContext().spanId);
      });

      it("makes begin(), its statements and its commit spans under the begin span", async () => {
        const tx = await backend.sql().begin();
        await tx.query({ text: "select 2 as two", params: [] });
        await tx.commit();
        expect(tx.state).toBe("committed");
        const begin = only("begin");
        for (const name of ["query", "commit"]) {
          expect(only(name).parentSpanContext?.spanId, name).toBe(begin.spanContext().spanId);
        }
      });
    } else {
      it("passes sql()'s NOT_SUPPORTED through on a backend without SQL", () => {
        expect(backend.capabilities.sql).toBe(false);
        expect(() => backend.sql()).toThrow(expect.objectContaining({ code: "NOT_SUPPORTED" }));
      });
    }

    it("with no provider, values pass through unwrapped and nothing is recorded", async () => {
      const bare = instrument(raw);
      const name = unique("n");
      await bare.queue(name).put({ n: 2 });
      await bare.queue(name).flush();
      expect((await raw.queue(name).get())[0]?.value).toEqual({ n: 2 });
      await bare.cache(name).set("k", 1);
      expect(spans()).toEqual([]);
    });
  });
}
