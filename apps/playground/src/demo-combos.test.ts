import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { type DemoOptions, runDemo } from "./demo.js";
import { expectConsistentSummary } from "./demo-checks.fixture.js";
import { memoryOutput } from "./output.js";

// Servers the CI starts (bash tooling/scripts/start-services.sh). When one is down the
// demo fails with the flag, the URL and that start command — these tests never skip.
const POSTGRES = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";
const REDIS = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ITEMS = 60;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "core-playground-combo-"));
}

const COMBINATIONS: Record<string, () => DemoOptions> = {
  "redis cache/queue/transport, postgres records/sql": () => ({
    cache: REDIS,
    queue: REDIS,
    records: POSTGRES,
    transport: REDIS,
    sql: POSTGRES,
  }),
  "all postgres": () => ({ cache: POSTGRES, queue: POSTGRES, records: POSTGRES, transport: POSTGRES, sql: POSTGRES }),
  "all redis, sql on sqlite in memory": () => ({
    cache: REDIS,
    queue: REDIS,
    records: REDIS,
    transport: REDIS,
    sql: "sqlite::memory:",
  }),
  "file queue and records, sqlite cache/transport/sql": () => {
    const dir = tempDir();
    const db = `sqlite:${join(dir, "x.db")}`;
    return {
      queue: `file:${join(dir, "files")}`,
      records: `file:${join(dir, "files")}`,
      cache: db,
      transport: db,
      sql: db,
    };
  },
  "file cache and transport, postgres queue, sqlite records": () => {
    const dir = tempDir();
    return {
      cache: `file:${join(dir, "files")}`,
      transport: `file:${join(dir, "files")}`,
      queue: POSTGRES,
      records: `sqlite:${join(dir, "x.db")}`,
      sql: `sqlite:${join(dir, "x.db")}`,
    };
  },
  "memory everywhere but sql": () => ({
    cache: "memory:",
    queue: "memory:",
    records: "memory:",
    transport: "memory:",
    sql: "sqlite::memory:",
  }),
};

describe("playground demo on every backend combination", () => {
  for (const [name, options] of Object.entries(COMBINATIONS)) {
    it(name, async () => {
      const summary = await runDemo({ ...options(), items: ITEMS }, memoryOutput());
      expectConsistentSummary(summary, ITEMS);
    }, 30_000);
  }
});
