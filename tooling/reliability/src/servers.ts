import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@core/conformance";

/**
 * A free TCP port on 127.0.0.1.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A `redis-server` this test owns: it may kill and restart it. */
export interface OwnRedis {
  readonly url: string;
  /** SIGKILLs the server (no shutdown save). */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (the AOF is replayed). */
  start(): Promise<void>;
  /** Runs redis-cli against it. */
  cli(...args: string[]): string;
  /** Kills it and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * Spawns `redis-server` on a free port with an fsync-always append-only file, so writes
 * acknowledged before a kill are still there after a restart.
 *
 * @example
 * ```ts
 * const redis = await startOwnRedis();
 * await redis.kill(); await redis.start();
 * ```
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "core-rel-redis-"));
  mkdirSync(dir, { recursive: true });
  let proc: ChildProcess | undefined;
  const cli = (...args: string[]) =>
    execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { encoding: "utf8" }).trim();
  const start = async () => {
    try {
      proc = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"],
        { cwd: dir, stdio: "ignore" },
      );
    } catch (cause) {
      throw new Error("redis-server is not installed (apt-get install redis-server)", { cause });
    }
    proc.on("error", () => {});
    // The appendfsync policy goes in after start-up: older servers reject some flags.
    await waitFor(
      () => {
        try {
          return cli("ping") === "PONG";
        } catch {
          return false;
        }
      },
      10_000,
      `redis-server on port ${port}`,
    );
    cli("config", "set", "appendfsync", "always");
  };
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.on("exit", resolve));
    p.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    cli,
    dispose: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small tmpfs this test mounted, to fill up. */
export interface SmallDisk {
  readonly path: string;
  dispose(): void;
}

/**
 * Mounts a tmpfs of `size` (e.g. `"1m"`); needs root (CAP_SYS_ADMIN). Fails saying so.
 *
 * @example
 * ```ts
 * const disk = mountSmallDisk("1m");
 * ```
 */
export function mountSmallDisk(size: string): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), "core-rel-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", path], { stdio: "pipe" });
  } catch (cause) {
    rmSync(path, { recursive: true, force: true });
    throw new Error(`mounting a ${size} tmpfs needs root (CAP_SYS_ADMIN): ${String(cause)}`, { cause });
  }
  return {
    path,
    dispose: () => {
      execFileSync("umount", ["-l", path], { stdio: "pipe" });
      rmSync(path, { recursive: true, force: true });
    },
  };
}
