import {
  describeCacheConformance,
  describeKeepAliveConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeSqlConformance,
  describeTransportConformance,
} from "@core/conformance";
import { closeServers, stallableProxy } from "@core/test-net";
import { afterAll } from "vitest";
import { openPostgresBackend } from "./index.js";
import { dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

// Every open() of this file reaches the same schema, so second clients share the data.
const schema = testSchema();
await requireServer();
afterAll(async () => {
  closeServers();
  await dropSchema(schema);
});

const options = {
  name: "postgres",
  open: () => openPostgresBackend({ connectionString: POSTGRES_URL, schema }),
  // A proxy that stalls: the server stops answering while the connections stay open.
  outage: async () => {
    const target = new URL(POSTGRES_URL);
    const proxy = await stallableProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(POSTGRES_URL);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const backend = await openPostgresBackend({ connectionString: url.toString(), schema, commandTimeoutMs: 1000 });
    return { backend, cut: proxy.stall, restore: proxy.resume };
  },
};
describeCacheConformance(options);
describeQueueConformance(options);
describeRecordStoreConformance(options);
describeTransportConformance(options);
describePublisherConformance(options);
// The SQL guide's connection fields instead of a connection string, plus session settings.
const url = new URL(POSTGRES_URL);
describeSqlConformance({
  ...options,
  sqlConnection: {
    open: () =>
      openPostgresBackend({
        host: url.hostname,
        port: Number(url.port || 5432),
        database: decodeURIComponent(url.pathname.slice(1)),
        user: decodeURIComponent(url.username),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        schema,
        applicationName: "sql-conformance",
        statementTimeoutMs: 1500,
      }),
    settings: { application_name: "sql-conformance", statement_timeout: "1500ms" },
  },
});
// The child runs plain Node: it opens the built package.
describeKeepAliveConformance({
  ...options,
  child: {
    module: new URL("../dist/index.js", import.meta.url).href,
    export: "openPostgresBackend",
    argument: { connectionString: POSTGRES_URL, schema },
  },
});
