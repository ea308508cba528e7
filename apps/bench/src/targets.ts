import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "@core/protocols";
import { Redis } from "ioredis";
import pg from "pg";
import { openRawFile } from "./raw/file.js";
import { openRawMemory } from "./raw/memory.js";
import { openRawPostgres } from "./raw/postgres.js";
import { deleteByPrefix, openRawRedis } from "./raw/redis.js";
import { openRawSqlite } from "./raw/sqlite.js";
import type { RawDriver } from "./raw/types.js";
import { withTimeout } from "./timeout.js";

/** The backends every scenario runs on, in report order. */
export const BACKENDS = ["memory", "file", "sqlite", "postgres", "redis"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Server addresses (env `POSTGRES_URL` / `REDIS_URL` or the test defaults). */
export const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Ours and the raw driver for one backend, isolated (own directory, schema or prefix). */
export interface Target {
  name: BackendName;
  /** Null when the package could not be loaded or opened; `error` says why. */
  backend: Backend | null;
  error?: string;
  raw: RawDriver | null;
  rawError?: string;
  /** How to open the same store again (e.g. in a child process): package, opener, options. */
  opener: OpenerSpec;
  close(): Promise<void>;
}

/** A package, its opener's name and the options that reach this target's data. */
export interface OpenerSpec {
  spec: string;
  opener: string;
  options: Record<string, unknown>;
}

let sequence = 0;

/** How {@link openTarget} opens both sides; the tuning knobs apply to ours and raw alike. */
export interface TargetOptions {
  /** Open the raw baseline too (default true). */
  raw?: boolean;
  /** Postgres: pool size of ours (`max`) and of the raw `pg.Pool`. */
  pool?: number;
  /** Redis: ioredis auto-pipelining on ours (`autoPipelining`) and on the raw client. */
  autoPipelining?: boolean;
  /** File: ours holds its directory alone (`exclusive: true`); the raw side has no lock either way. */
  exclusive?: boolean;
}

/**
 * Why a call failed, in one line, for "not measured: …" entries.
 *
 * @example
 * ```ts
 * reason(new BackendError("NOT_SUPPORTED", "[file] no sql")); // "NOT_SUPPORTED: [file] no sql"
 * ```
 */
export function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = String(e?.message ?? err)
    .split("\n")[0]!
    .slice(0, 200);
  return e?.code ? `${e.code}: ${message}` : message;
}

// Imported by name at run time so an unfinished (unbuilt) package is reported, not fatal.
/**
 * Opens a backend from an {@link OpenerSpec}.
 *
 * @example
 * ```ts
 * const backend = await openOurs({ spec: "@core/backend-memory", opener: "openMemoryBackend", options: {} });
 * ```
 */
export async function openOurs({ spec, opener, options }: OpenerSpec): Promise<Backend> {
  const mod = (await import(spec)) as Record<string, unknown>;
  const open = mod[opener];
  if (typeof open !== "function") throw new Error(`${spec} does not export ${opener}()`);
  return (await open(options)) as Backend;
}

async function settle<T>(make: () => Promise<T>): Promise<{ value: T | null; error?: string }> {
  try {
    return { value: await make() };
  } catch (err) {
    return { value: null, error: reason(err) };
  }
}

/**
 * Opens our backend and its raw baseline side by side. Never throws: a backend that
 * cannot be opened comes back with `backend: null` and the reason.
 *
 * @example
 * ```ts
 * const target = await openTarget("sqlite");
 * await target.backend?.cache("c").set("k", 1);
 * await target.close();
 * ```
 */
export async function openTarget(name: BackendName, options: TargetOptions = {}): Promise<Target> {
  const tag = `${process.pid}_${Date.now().toString(36)}_${sequence++}`;
  const withRaw = options.raw ?? true;
  const cleanups: (() => Promise<void> | void)[] = [];
  let opener: OpenerSpec;
  let raw: { value: RawDriver | null; error?: string } = { value: null };
  if (name === "memory") {
    opener = { spec: "@core/backend-memory", opener: "openMemoryBackend", options: {} };
    if (withRaw) raw = { value: openRawMemory() };
  } else if (name === "file" || name === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    opener =
      name === "file"
        ? {
            spec: "@core/backend-file",
            opener: "openFileBackend",
            options: { directory: join(dir, "ours"), ...(options.exclusive ? { exclusive: true } : {}) },
          }
        : { spec: "@core/backend-sqlite", opener: "openSqliteBackend", options: { path: join(dir, "ours.db") } };
    if (withRaw) raw = await settle(async () => (name === "file" ? openRawFile(dir) : openRawSqlite(dir)));
  } else if (name === "postgres") {
    const schema = `bench_${tag}`;
    opener = {
      spec: "@core/backend-postgres",
      opener: "openPostgresBackend",
      options: { connectionString: POSTGRES_URL, schema, ...(options.pool ? { max: options.pool } : {}) },
    };
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    });
    if (withRaw) raw = await settle(() => openRawPostgres(POSTGRES_URL, `bench_raw_${tag}`, options.pool));
  } else {
    const prefix = `bench-${tag}`;
    opener = {
      spec: "@core/backend-redis",
      opener: "openRedisBackend",
      options: { url: REDIS_URL, prefix, ...(options.autoPipelining ? { autoPipelining: true } : {}) },
    };
    cleanups.push(async () => {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    });
    if (withRaw) raw = await settle(() => openRawRedis(REDIS_URL, `bench-raw-${tag}`, options.autoPipelining));
  }
  const ours = await settle(() => openOurs(opener));
  return {
    name,
    opener,
    backend: ours.value,
    error: ours.error,
    raw: raw.value,
    rawError: raw.error,
    close: async () => {
      // A backend stuck on a hung call must not hang the run.
      if (ours.value) await withTimeout(ours.value.close(), 10_000, `closing ${name}`).catch(() => {});
      if (raw.value) await withTimeout(raw.value.close(), 10_000, `closing raw ${name}`).catch(() => {});
      for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => {});
    },
  };
}
