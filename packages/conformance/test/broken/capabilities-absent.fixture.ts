// A memory backend that declares transport, blockingStream, buckets and maxEntries absent
// and refuses them with NOT_SUPPORTED, as such a backend must. The suites have to report
// those tests as skipped with the reason, plus one real test per absent capability —
// never as passing tests that ran nothing (src/capability-gates.test.ts).
import {
  type Backend,
  BackendError,
  type Cache,
  type CacheOptions,
  type Queue,
  type QueueOptions,
} from "@core/protocols";
import { defineCapabilities } from "@core/protocols/kit";
import {
  describeCacheConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeSqlConformance,
  describeTransportConformance,
} from "../../src/index.js";
import { brokenBackend, override } from "./override.js";

const notSupported = (what: string) =>
  new BackendError("NOT_SUPPORTED", `${what} is not supported here`, { backend: "memory" });

function limitedQueue<V>(inner: Queue<V>): Queue<V> {
  return override<Queue<V>>(inner, {
    stream: (opts) => {
      if (opts?.block) throw notSupported("stream({ block: true })");
      return inner.stream(opts);
    },
  });
}

const open = (): Promise<Backend> =>
  brokenBackend((b) => ({
    capabilities: defineCapabilities({
      ...b.capabilities,
      transport: false,
      delivery: "none",
      blockingStream: false,
      buckets: false,
      maxEntries: false,
    }),
    transport: () => {
      throw notSupported("transport()");
    },
    cache: <V>(name: string, options?: CacheOptions): Cache<V> => {
      if (options?.maxEntries !== undefined) throw notSupported("maxEntries");
      return b.cache<V>(name, options);
    },
    queue: <V>(name: string, options?: QueueOptions): Queue<V> => {
      if (options?.buckets !== undefined) throw notSupported("buckets");
      return limitedQueue(b.queue<V>(name, options));
    },
  }));

const options = { name: "capabilities absent", open };
describeCacheConformance(options);
describeQueueConformance(options);
describeRecordStoreConformance(options);
describeTransportConformance(options);
describePublisherConformance(options);
describeSqlConformance(options);
