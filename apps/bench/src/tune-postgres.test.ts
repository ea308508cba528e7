import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { POSTGRES_URL } from "./targets.js";

// The script `pnpm bench` runs first. Its restart path is not run here (it would restart the
// server under the other packages' tests); these cover the paths that must leave it alone.
const SCRIPT = fileURLToPath(new URL("../../../tooling/scripts/tune-postgres-for-bench.sh", import.meta.url));

/** The server's shared_buffers, as shown and in whole MB. */
async function sharedBuffers(): Promise<{ shown: string; mb: string }> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ shown: string; mb: string }>(
      "select current_setting('shared_buffers') as shown, pg_size_bytes(current_setting('shared_buffers')) / 1048576 as mb",
    );
    return rows[0]!;
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
    expect(await sharedBuffers()).toEqual(before);
  });

  it("does nothing to the default server when it is at the target", async () => {
    const before = await sharedBuffers();
    // The target given is the current size, so even as root on the default server the
    // script must not restart it.
    const out = run({ BENCH_SHARED_BUFFERS_MB: before.mb });
    expect(out).toContain(`shared_buffers is ${before.mb} MB (target ${before.mb} MB;`);
    expect(await sharedBuffers()).toEqual(before);
  });

  it("reports an unreachable server and exits 0, so the bench reports postgres as not measured", () => {
    const out = run({ POSTGRES_URL: "postgres://root@127.0.0.1:1/none", BENCH_SHARED_BUFFERS_MB: "128" });
    expect(out).toContain("PostgreSQL is not reachable");
  });
});
