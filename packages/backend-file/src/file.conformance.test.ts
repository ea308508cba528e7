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
import { openFileBackend } from "./index.js";

// One directory for the whole file: every open() is another client of the same storage,
// so the suites' cross-client and reopen tests really share data.
const directory = mkdtempSync(join(tmpdir(), "backend-file-conformance-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const open = () => openFileBackend({ directory, sweepIntervalMs: 50 });

describeCacheConformance({ name: "file", open });
describeQueueConformance({ name: "file", open });
describeRecordStoreConformance({ name: "file", open });
describeTransportConformance({ name: "file", open });
describePublisherConformance({ name: "file", open });
// The child runs plain Node: it opens the built package.
describeKeepAliveConformance({
  name: "file",
  open,
  child: {
    module: new URL("../dist/index.js", import.meta.url).href,
    export: "openFileBackend",
    argument: { directory, sweepIntervalMs: 50 },
  },
});
