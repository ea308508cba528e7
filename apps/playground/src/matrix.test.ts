import { describe, expect, it } from "vitest";
import { defaultMatrixUrls, runMatrix } from "./matrix.js";
import { memoryOutput } from "./output.js";

const PROTOCOLS = ["cache", "queue", "records", "transport", "sql"] as const;

describe("playground matrix", () => {
  it("every built-in backend × protocol is passed or not applicable", async () => {
    const out = memoryOutput();
    const rows = await runMatrix(defaultMatrixUrls(), out);
    expect(rows.map((r) => r.backend)).toEqual([
      "memory",
      "file",
      "sqlite (memory)",
      "sqlite (file)",
      "postgres",
      "redis",
    ]);
    const problems = rows.flatMap((r) =>
      PROTOCOLS.flatMap((p) => {
        const cell = r.cells[p];
        return cell.status === "passed" || cell.status === "not applicable"
          ? []
          : [`${r.backend} ${p}: ${cell.status}${cell.error ? ` — ${cell.error}` : ""}`];
      }),
    );
    // A server that is down shows up here with its start command (never skipped).
    expect(problems, problems.join("\n")).toEqual([]);
    for (const r of rows) expect(r.cells.cache.status, r.backend).toBe("passed");
    const sql = Object.fromEntries(rows.map((r) => [r.backend, r.cells.sql.status]));
    expect(sql).toMatchObject({ "sqlite (memory)": "passed", postgres: "passed", memory: "not applicable" });
    const text = out.text();
    expect(text).toMatch(/backend\s+cache\s+queue\s+records\s+transport\s+sql/);
    expect(text).toMatch(/postgres\s+passed \d+ms/);
  }, 60_000);

  it("reports a server that is down as unreachable, with the command to start it", async () => {
    const out = memoryOutput();
    const [row] = await runMatrix({ "redis (down)": "redis://127.0.0.1:1" }, out);
    for (const p of PROTOCOLS) expect(row!.cells[p].status).toBe("unreachable");
    expect(out.text()).toContain("bash tooling/scripts/start-services.sh");
  });

  it("reports a backend package that is not installed", async () => {
    const { registerBackend, unregisterBackend, loadProvider } = await import("@core/protocols");
    registerBackend({
      name: "ghost",
      schemes: ["ghost"],
      open: async () => {
        await loadProvider("@core/backend-nonexistent");
        throw new Error("unreachable: loadProvider must fail");
      },
    });
    try {
      const out = memoryOutput();
      const [row] = await runMatrix({ ghost: "ghost:" }, out);
      expect(row!.cells.cache.status).toBe("not installed");
      expect(out.text()).toContain("@core/backend-nonexistent");
    } finally {
      unregisterBackend("ghost");
    }
  });
});
