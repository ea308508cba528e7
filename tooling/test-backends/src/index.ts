/**
 * `@core/test-backends` — the five built-in backends, each opened fresh and isolated for
 * integration tests, with a `dispose` that removes what the tests wrote.
 *
 * @packageDocumentation
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileBackend } from "@core/backend-file";
import { openMemoryBackend } from "@core/backend-memory";
import { openPostgresBackend } from "@core/backend-postgres";
import { openRedisBackend } from "@core/backend-redis";
import { openSqliteBackend } from "@core/backend-sqlite";
import type { Backend } from "@core/protocols";
import pg from "pg";

/** The five built-in backends. */
export type BackendKind = "memory" | "file" | "sqlite" | "postgres" | "redis";

const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const START_HINT = "start it with: bash tooling/scripts/start-services.sh";

function unique(label: string): string {
  return `t_${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Opens a fresh, isolated backend of `kind` (a temporary directory or file, a random
 * Postgres schema, a random Redis prefix, each named after `label`) and a `dispose` that closes it and removes what
 * it wrote. Unreachable servers fail with how to start them; nothing is skipped.
 *
 * @example
 * ```ts
 * const { backend, dispose } = await openTestBackend("sqlite", "keyv");
 * afterAll(dispose);
 * ```
 */
export async function openTestBackend(
  kind: BackendKind,
  label: string,
): Promise<{ backend: Backend; dispose: () => Promise<void> }> {
  switch (kind) {
    case "memory": {
      const backend = await openMemoryBackend();
      return { backend, dispose: () => backend.close() };
    }
    case "file":
    case "sqlite": {
      const dir = mkdtempSync(join(tmpdir(), `core-${label}-${kind}-`));
      const backend =
        kind === "file"
          ? await openFileBackend({ directory: dir })
          : await openSqliteBackend({ path: join(dir, "db.sqlite") });
      return {
        backend,
        dispose: async () => {
          await backend.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case "postgres": {
      const schema = unique(label);
      const backend = await openPostgresBackend({ connectionString: POSTGRES_URL, schema }).catch((err: Error) => {
        throw new Error(`PostgreSQL is not reachable at ${POSTGRES_URL} (${err.message}); ${START_HINT}`);
      });
      return {
        backend,
        dispose: async () => {
          await backend.close();
          await dropSchema(schema);
        },
      };
    }
    case "redis": {
      const prefix = unique(label);
      const backend = await openRedisBackend({ url: REDIS_URL, prefix }).catch((err: Error) => {
        throw new Error(`Redis is not reachable at ${REDIS_URL} (${err.message}); ${START_HINT}`);
      });
      return {
        backend,
        dispose: async () => {
          // Every key the tests wrote lives in their own caches; clearing them leaves nothing behind.
          await backend.close();
        },
      };
    }
  }
}
