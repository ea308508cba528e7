import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeCacheConformance,
  describeKeepAliveConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeTransportConformance,
} from "@core/conformance";
import { afterAll } from "vitest";
import { openSqliteBackend } from "./index.js";

// One file for the whole file variant: every open() is a new client of the SAME database,
// so the suites' cross-client, wake-up and reopen tests run.
const dir = mkdtempSync(join(tmpdir(), "core-sqlite-conformance-"));
const path = join(dir, "conformance.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The keep-alive suite's child runs plain Node: it opens the built package.
const module = new URL("../dist/index.js", import.meta.url).href;
const variants = [
  {
    name: "sqlite :memory:",
    open: () => openSqliteBackend({ path: ":memory:" }),
    child: { module, export: "openSqliteBackend", argument: { path: ":memory:" } },
  },
  {
    name: "sqlite file",
    open: () => openSqliteBackend({ path }),
    child: { module, export: "openSqliteBackend", argument: { path } },
  },
];

for (const variant of variants) {
  describeCacheConformance(variant);
  describeQueueConformance(variant);
  describeRecordStoreConformance(variant);
  describeTransportConformance(variant);
  describePublisherConformance(variant);
  describeKeepAliveConformance(variant);
}
