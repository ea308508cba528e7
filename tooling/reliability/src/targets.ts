import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "@core/protocols";
import { rawSnapshot } from "./raw-snapshot.js";
import { POSTGRES_URL, REDIS_URL } from "./services.js";
import type { BackendName, Target } from "./target.js";

export { POSTGRES_URL, REDIS_URL } from "./services.js";
export { BACKENDS, type BackendName, type OpenerSpec, PERSISTENT, type Target } from "./target.js";

const START = "start them with `bash tooling/scripts/start-services.sh`";

const require = createRequire(import.meta.url);

/**
 * Absolute path of a backend package's built entry point, for child processes, which
 * import it as a user would. Fails with a clear message when the package is not built.
 *
 * @example
 * ```ts
 * const dist = packageEntry("sqlite"); // …/packages/backend-sqlite/dist/index.js
 * ```
 */
export function packageEntry(name: BackendName): string {
  try {
    return require.resolve(`@core/backend-${name}`);
  } catch (cause) {
    throw new Error(`@core/backend-${name} is not built: run \`pnpm turbo run build --filter=@core/reliability^...\``, {
      cause,
    });
  }
}

async function importBackend(name: BackendName): Promise<Record<string, (o: unknown) => Promise<Backend>>> {
  return (await import(`@core/backend-${name}`)) as Record<string, (o: unknown) => Promise<Backend>>;
}

function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

async function withServerHint<T>(name: BackendName, url: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "CONNECTION" || code === "TIMEOUT") {
      throw new Error(`${name} at ${url} is unreachable (${(err as Error).message}); ${START}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Creates a fresh, empty storage of `name`. Postgres and redis must be running: the
 * error says how to start them (tests fail, never skip).
 *
 * @example
 * ```ts
 * const target = await createTarget("postgres");
 * try { … } finally { await target.dispose(); }
 * ```
 */
export async function createTarget(name: BackendName): Promise<Target> {
  const mod = await importBackend(name);
  const make = (opener: string, options: Record<string, unknown>, extra: Partial<Target>): Target => {
    const open = mod[opener];
    if (typeof open !== "function") throw new Error(`@core/backend-${name} does not export ${opener}()`);
    const target: Target = {
      name,
      spec: { opener, options },
      open: () => open(options),
      raw: () => rawSnapshot(target),
      dispose: async () => {},
      ...extra,
    };
    return target;
  };
  switch (name) {
    case "memory": {
      // A memory backend is one world per open(): share one instance, never closed by callers.
      const backend = await mod.openMemoryBackend?.({});
      if (!backend) throw new Error("@core/backend-memory does not export openMemoryBackend()");
      return make("openMemoryBackend", {}, { open: async () => backend, dispose: () => backend.close() });
    }
    case "sqlite": {
      const dir = mkdtempSync(join(tmpdir(), "core-rel-sqlite-"));
      const path = join(dir, "db.sqlite");
      return make("openSqliteBackend", { path }, { path, dispose: async () => rmSync(dir, { recursive: true }) });
    }
    case "file": {
      const dir = mkdtempSync(join(tmpdir(), "core-rel-file-"));
      const directory = join(dir, "data");
      return make(
        "openFileBackend",
        { directory },
        { path: directory, dispose: async () => rmSync(dir, { recursive: true, force: true }) },
      );
    }
    case "postgres": {
      const schema = unique("rel");
      const target = make("openPostgresBackend", { connectionString: POSTGRES_URL, schema }, {});
      // Fail here, with the start-up hint, rather than in the middle of a test.
      await (await withServerHint(name, POSTGRES_URL, target.open)).close();
      target.dispose = async () => {
        const pg = (await import("pg")).default;
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end());
      };
      return target;
    }
    case "redis": {
      const prefix = unique("rel");
      const target = make("openRedisBackend", { url: REDIS_URL, prefix }, {});
      await (await withServerHint(name, REDIS_URL, target.open)).close();
      target.dispose = async () => {
        const { Redis } = await import("ioredis");
        const client = new Redis(REDIS_URL);
        try {
          let cursor = "0";
          do {
            const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
            cursor = next;
            if (keys.length > 0) await client.del(...keys);
          } while (cursor !== "0");
        } finally {
          client.disconnect();
        }
      };
      return target;
    }
  }
}
