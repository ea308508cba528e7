import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeCacheConformance,
  describePublisherConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeTransportConformance,
} from "@core/conformance";
import { afterAll } from "vitest";
import { exclusiveLockPath } from "./exclusive-lease.js";
import { openFileBackend } from "./index.js";

// The shared suites with `exclusive: true`: one backend holds a directory at a time
// (capabilities.crossProcess is false, so no test expects two clients to share one). An
// open() reuses the newest directory no backend holds (a reopen after close sees the
// data: the persistence tests), else starts another one.
const root = mkdtempSync(join(tmpdir(), "backend-file-exclusive-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const directories: string[] = [];

const open = () => {
  let directory = directories.findLast((d) => !existsSync(exclusiveLockPath(d)));
  if (directory === undefined) {
    directory = join(root, `d${directories.length}`);
    directories.push(directory);
  }
  return openFileBackend({ directory, sweepIntervalMs: 50, exclusive: true });
};

describeCacheConformance({ name: "file (exclusive)", open });
describeQueueConformance({ name: "file (exclusive)", open });
describeRecordStoreConformance({ name: "file (exclusive)", open });
describeTransportConformance({ name: "file (exclusive)", open });
describePublisherConformance({ name: "file (exclusive)", open });
