import {
  describeCacheConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeTransportConformance,
} from "@core/conformance";
import { type Backend, BackendError } from "@core/protocols";
import { Cluster } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { openRedisBackend } from "./index.js";
import { type LocalCluster, startCluster, uniquePrefix } from "./redis.fixture.js";

// A cluster of three masters this file starts itself (spawned redis-server children on
// free ports) and stops afterwards. Every open() is a new ioredis Cluster client the test
// owns: the backend never closes a client it was given, so afterAll quits them.
const prefix = uniquePrefix("cluster");
// Started on first use: the suites open a probe backend while collecting, before hooks run.
let cluster: Promise<LocalCluster> | undefined;
const clients: Cluster[] = [];
const opened: Backend[] = [];

async function newClient(): Promise<Cluster> {
  cluster ??= startCluster();
  const { nodes } = await cluster;
  const client = new Cluster(nodes, { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } });
  client.on("error", () => {});
  clients.push(client);
  await client.connect();
  return client;
}

afterAll(async () => {
  await Promise.allSettled(opened.map((b) => b.close()));
  await Promise.allSettled(clients.map((c) => c.quit()));
  await (await cluster)?.stop();
}, 30_000);

const options = {
  name: "redis cluster",
  open: async () => {
    const backend = await openRedisBackend({ client: await newClient(), prefix });
    opened.push(backend);
    return backend;
  },
};

describe("redis cluster layout", () => {
  it("spreads buckets of one topic over several slots and masters", async () => {
    const client = await newClient();
    const backend = await openRedisBackend({ client, prefix });
    const q = backend.queue<number>("spread", { buckets: 16 });
    for (let i = 0; i < 64; i++) await q.put(i, { key: `k${i}` });
    const owners = new Set<string>();
    for (const node of client.nodes("master")) {
      const keys = await node.keys(`${prefix}:{q:spread*`);
      if (keys.length > 0) owners.add(`${node.options.port}`);
    }
    expect(owners.size).toBeGreaterThan(1);
    await backend.close();
  });
});

describe("redis cluster database index", () => {
  it("a non-zero database in a URL of a cluster node fails at open, not retryable", async () => {
    cluster ??= startCluster();
    const [node] = (await cluster).nodes;
    const err = await openRedisBackend({ url: `redis://127.0.0.1:${node?.port}/3` }).then(
      (b) => b.close(),
      (e: unknown) => e,
    );
    expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
    expect((err as BackendError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/SELECT is not allowed in cluster mode/);
  });

  it("a Cluster client selecting a non-zero database is INVALID_ARGUMENT", async () => {
    cluster ??= startCluster();
    const client = new Cluster((await cluster).nodes, { lazyConnect: true, redisOptions: { db: 3 } });
    clients.push(client);
    const err = await openRedisBackend({ client }).then(
      (b) => b.close(),
      (e: unknown) => e,
    );
    expect(BackendError.is(err, "INVALID_ARGUMENT"), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/only database 0/);
  });
});

describeCacheConformance(options);
describeQueueConformance(options);
describeRecordStoreConformance(options);
describeTransportConformance(options);
describePublisherConformance(options);
