import {
  describeCacheConformance,
  describeKeepAliveConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeTransportConformance,
} from "@core/conformance";
import type { Backend } from "@core/protocols";
import { closeServers, stallableProxy } from "@core/test-net";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { openRedisBackend } from "./index.js";
import { deleteKeys, REDIS_URL, requireRedis, uniquePrefix } from "./redis.fixture.js";

const prefix = uniquePrefix("single");
const opened: Backend[] = [];

beforeAll(() => requireRedis());

afterAll(async () => {
  closeServers();
  await Promise.allSettled(opened.map((b) => b.close()));
  const client = new Redis(REDIS_URL);
  try {
    await deleteKeys(client, prefix);
  } finally {
    client.disconnect();
  }
});

// Every open() is a new client of the same server and prefix, as the suites require for
// persistent, cross-process backends.
const options = {
  name: "redis",
  open: async () => {
    const backend = await openRedisBackend({ url: REDIS_URL, prefix });
    opened.push(backend);
    return backend;
  },
  // A proxy that stalls: the server stops answering while the connection stays open.
  outage: async () => {
    const target = new URL(REDIS_URL);
    const proxy = await stallableProxy(target.hostname, Number(target.port || 6379));
    const url = new URL(REDIS_URL);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const backend = await openRedisBackend({ url: url.toString(), prefix, commandTimeoutMs: 500 });
    opened.push(backend);
    return { backend, cut: proxy.stall, restore: proxy.resume };
  },
};

describeCacheConformance(options);
describeQueueConformance(options);
describeRecordStoreConformance(options);
describeTransportConformance(options);
describePublisherConformance(options);
// The child runs plain Node: it opens the built package.
describeKeepAliveConformance({
  ...options,
  child: {
    module: new URL("../dist/index.js", import.meta.url).href,
    export: "openRedisBackend",
    argument: { url: REDIS_URL, prefix },
  },
});
