import {
  describeCacheConformance,
  describeKeepAliveConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeSqlConformance,
  describeTransportConformance,
} from "@core/conformance";
import { afterAll } from "vitest";
import { openPostgresBackend } from "./index.js";
import { dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

// Every open() of this file reaches the same schema, so second clients share the data.
const schema = testSchema();
await requireServer();
afterAll(() => dropSchema(schema));

const options = { name: "postgres", open: () => openPostgresBackend({ connectionString: POSTGRES_URL, schema }) };
describeCacheConformance(options);
describeQueueConformance(options);
describeRecordStoreConformance(options);
describeTransportConformance(options);
describePublisherConformance(options);
describeSqlConformance(options);
// The child runs plain Node: it opens the built package.
describeKeepAliveConformance({
  ...options,
  child: {
    module: new URL("../dist/index.js", import.meta.url).href,
    export: "openPostgresBackend",
    argument: { connectionString: POSTGRES_URL, schema },
  },
});
