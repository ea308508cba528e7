import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { POSTGRES_URL } from "./targets.js";

// The script `pnpm bench` runs first. Its restart path is not run here (it would restart the
// server under the other packages' tests); these cover the paths that must leave it alone.
const SCRIPT = fileURLToPath(new URL("../../../tooling/scripts/tune-postgres-for-bench.sh", import.meta.url));

async function sharedBuffers(): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<{ shared_buffers: string }>("show shared_buffers")).rows[0]!.shared_buffers;
  } finally {
    await client.end();
  }
}

function run(env: Record<string, string>): string {
  return execFileSync("bash", [SCRIPT], { env: { ...process.env, ...env }, encoding: "utf8" });
}

describe("tune-postgres-for-bench.sh", () => {
  it("leaves a server other than the default local one as it is and prints how to raise it", async () => {
    const before = await sharedBuffers();
    // Another URL for the same server: the script must treat it as someone else's server.
    const other = new URL(POSTGRES_URL);
    other.pathname = "/postgres";
    const out = run({ POSTGRES_URL: other.toString(), BENCH_SHARED_BUFFERS_MB: String(1 << 20) });
    expect(out).toMatch(/shared_buffers is \d+ MB, target 1048576 MB; left as it is/);
    expect(out).toContain("ALTER SYSTEM SET shared_buffers = '1048576MB'");
    expect(await sharedBuffers()).toBe(before);
  });

  it("does nothing to the default server when it is at the target", async () => {
    const before = await sharedBuffers();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const { rows } = await client.query<{ mb: string }>(
      "select pg_size_bytes(current_setting('shared_buffers')) / 1048576 as mb",
    );
    await client.end();
    // The target given is the current size, so even as root on the default server the
    // script must not restart it.
    const out = run({ BENCH_SHARED_BUFFERS_MB: String(rows[0]!.mb) });
    expect(out).toContain(`shared_buffers is ${rows[0]!.mb} MB (target ${rows[0]!.mb} MB;`);
    expect(await sharedBuffers()).toBe(before);
  });

  it("reports an unreachable server and exits 0, so the bench reports postgres as not measured", () => {
    const out = run({ POSTGRES_URL: "postgres://root@127.0.0.1:1/none", BENCH_SHARED_BUFFERS_MB: "128" });
    expect(out).toContain("PostgreSQL is not reachable");
  });
});
