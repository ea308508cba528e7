import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { extract, PUBLISHED, pack, ROOT, runScript, start, without } from "./packed.js";
import { ok } from "./run.js";

// The published packages as a user gets them: packed tarballs installed with plain npm in a
// project outside the workspace. One install serves every case (installs are slow).

let work: string;
let project: string;
const tarballs: Record<string, string> = {};

interface Failure {
  name?: string;
  code?: string;
  message?: string;
  backendError?: boolean;
  ms?: number;
}

async function devVersion(pkg: string, dep: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, "packages", pkg, "package.json"), "utf8"));
  return manifest.devDependencies[dep] as string;
}

// Prints what openBackend(url, options) threw, as JSON.
const OPEN = (url: string, options: object = {}) => `
import { BackendError, openBackend } from "@core/protocols";
const started = performance.now();
let out;
try {
  const backend = await openBackend(${JSON.stringify(url)}, ${JSON.stringify(options)});
  await backend.close();
  out = { opened: true };
} catch (err) {
  out = { name: err.name, code: err.code, message: err.message, backendError: err instanceof BackendError };
}
out.ms = Math.round(performance.now() - started);
console.log(JSON.stringify(out));
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "core-e2e-packed-"));
  expect(work.startsWith(ROOT)).toBe(false);
  await mkdir(join(work, "tarballs"));
  // dist of every package is built by turbo's ^build before this test runs.
  for (const name of PUBLISHED) tarballs[name] = await pack(join(ROOT, "packages", name), join(work, "tarballs"));
  project = join(work, "app");
  await mkdir(project);
  await writeFile(join(project, "package.json"), '{ "name": "app", "private": true, "type": "module" }\n');
  const drivers = [
    `better-sqlite3@${await devVersion("backend-sqlite", "better-sqlite3")}`,
    `pg@${await devVersion("backend-postgres", "pg")}`,
    `ioredis@${await devVersion("backend-redis", "ioredis")}`,
  ];
  const ours = PUBLISHED.filter((name) => name !== "conformance").map((name) => tarballs[name]!);
  // --ignore-scripts: better-sqlite3 is installed without its native build, as pnpm 10 does by default.
  await ok(
    "npm",
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", ...ours, ...drivers],
    project,
    {
      timeoutMs: 300_000,
    },
  );
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("published tarballs", () => {
  test("(6) no file of any tarball names tooling/, and none ships a source map", async () => {
    const problems: string[] = [];
    for (const name of PUBLISHED) {
      const into = join(work, "extracted", name);
      const files = await extract(tarballs[name]!, into);
      expect(files, name).toContain("dist/index.js");
      for (const file of files) {
        if (file.endsWith(".map")) problems.push(`${name}: ${file} is a source map`);
        const lines = (await readFile(join(into, "package", file), "utf8")).split("\n");
        for (const [i, line] of lines.entries()) {
          if (line.includes("tooling/")) problems.push(`${name}: ${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

describe("(5) a driver that is missing or not built", () => {
  test("sqlite with better-sqlite3 installed without its build is NOT_INSTALLED with npm's fix", async () => {
    const { value } = await runScript<Failure>(project, "sqlite-unbuilt", OPEN("sqlite::memory:"));
    expect(value).toMatchObject({ name: "BackendError", code: "NOT_INSTALLED", backendError: true });
    expect(value.message).toMatch(/^\[sqlite\] better-sqlite3 is installed but its native addon is not built/);
    // The project has npm's package-lock.json: the fix is npm's.
    expect(value.message).toContain("npm rebuild better-sqlite3");
    expect(value.message).not.toContain("pnpm");
  });

  test("sqlite without better-sqlite3 is NOT_INSTALLED with the install command", async () => {
    const { value } = await without(project, "better-sqlite3", () =>
      runScript<Failure>(project, "sqlite-missing", OPEN("sqlite::memory:")),
    );
    expect(value).toMatchObject({ code: "NOT_INSTALLED", backendError: true });
    expect(value.message).toContain("better-sqlite3 is not installed");
    expect(value.message).toContain("npm install better-sqlite3@12");
  });

  test("postgres without pg and redis without ioredis are NOT_INSTALLED with the install command", async () => {
    const pg = await without(project, "pg", () =>
      runScript<Failure>(project, "postgres-missing", OPEN("postgres://root@127.0.0.1:5432/test")),
    );
    expect(pg.value).toMatchObject({ code: "NOT_INSTALLED", backendError: true });
    expect(pg.value.message).toBe(
      "[postgres] pg is not installed; it is a peer dependency of this backend: run `npm install pg@8`",
    );
    const redis = await without(project, "ioredis", () =>
      runScript<Failure>(project, "redis-missing", OPEN("redis://127.0.0.1:6379")),
    );
    expect(redis.value).toMatchObject({ code: "NOT_INSTALLED", backendError: true });
    expect(redis.value.message).toContain("run `npm install ioredis@5`");
  });

  test("after the build is supplied, sqlite opens (the fix works)", async () => {
    // `npm rebuild better-sqlite3` would download or compile the addon (no network here):
    // put the workspace's build of the same version where the rebuild would.
    const workspace = dirname(
      createRequire(join(ROOT, "packages/backend-sqlite/package.json")).resolve("better-sqlite3/package.json"),
    );
    const release = join(project, "node_modules/better-sqlite3/build/Release");
    await mkdir(release, { recursive: true });
    await copyFile(join(workspace, "build/Release/better_sqlite3.node"), join(release, "better_sqlite3.node"));
    const { value } = await runScript<{ opened?: boolean }>(project, "sqlite-built", OPEN("sqlite::memory:"));
    expect(value).toMatchObject({ opened: true });
  });
});

describe("servers that are wrong or silent", () => {
  test("(2) redis://127.0.0.1:6379/99 fails at openBackend with a BackendError and writes nothing to db 0", async () => {
    const prefix = `e2e-db99-${Date.now().toString(36)}`;
    const { value } = await runScript<Failure & { opened?: boolean; db0Keys: string[] }>(
      project,
      "redis-db99",
      `
import { BackendError, openBackend } from "@core/protocols";
import { Redis } from "ioredis";
const prefix = ${JSON.stringify(prefix)};
let out;
try {
  const backend = await openBackend("redis://127.0.0.1:6379/99", { prefix });
  await backend.cache("c").set("k", 1);
  await backend.queue("q").put({ a: 1 });
  await backend.close();
  out = { opened: true };
} catch (err) {
  out = { name: err.name, code: err.code, message: err.message, backendError: err instanceof BackendError };
}
const db0 = new Redis("redis://127.0.0.1:6379/0");
out.db0Keys = await db0.keys(prefix + "*");
await db0.quit();
console.log(JSON.stringify(out));
`,
    );
    expect(value.db0Keys).toEqual([]);
    expect(value.opened).toBeUndefined();
    expect(value.backendError).toBe(true);
    expect(value.message).toContain("[redis]");
  });

  test("(3) redis:// and postgres:// to a server that accepts and stays silent fail within connectTimeout + margin", async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const connectTimeoutMs = 1000;
    try {
      for (const url of [`redis://127.0.0.1:${port}`, `postgres://root@127.0.0.1:${port}/test`]) {
        const { value, result } = await runScript<Failure & { opened?: boolean }>(
          project,
          `silent-${url.slice(0, 5)}`,
          OPEN(url, { connectTimeoutMs }),
          20_000,
        );
        expect(value.opened, url).toBeUndefined();
        expect(value.backendError, `${url}: ${value.message}`).toBe(true);
        expect(["CONNECTION", "TIMEOUT"], `${url}: ${value.code}`).toContain(value.code);
        expect(value.ms!, url).toBeLessThan(connectTimeoutMs + 1500);
        // Nothing left running after the failure: the script exited by itself.
        expect(result.code, url).toBe(0);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("(1) a blocking stream is the process's pending work", () => {
  for (const kind of ["sqlite", "file"] as const) {
    test(`${kind}: the process stays alive while it waits and exits by itself after abort`, async () => {
      const url = kind === "sqlite" ? `sqlite:${join(work, "stream.db")}` : `file:${join(work, "stream-files")}`;
      const file = join(project, `stream-${kind}.mjs`);
      await writeFile(
        file,
        `
import { openBackend } from "@core/protocols";
const backend = await openBackend(${JSON.stringify(url)});
const queue = backend.queue("jobs");
await queue.put({ n: 1 });
const controller = new AbortController();
// A signal listener does not keep a process alive: only the stream may.
process.on("SIGUSR2", () => controller.abort());
let seen = 0;
console.log("streaming");
for await (const entry of queue.stream({ block: true, signal: controller.signal })) seen++;
await backend.close();
console.log("ended after " + seen);
`,
      );
      const child = start(project, file);
      try {
        await child.waitFor("streaming", 15_000);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(child.exitCode(), child.output()).toBeNull();
        child.kill("SIGUSR2");
        const code = await Promise.race([
          child.exited,
          new Promise((resolve) => setTimeout(resolve, 5000, "still running")),
        ]);
        expect(code, child.output()).toBe(0);
        expect(child.output()).toContain("ended after 1");
      } finally {
        if (child.exitCode() === null) child.kill("SIGKILL");
      }
    });
  }
});
