import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, BackendError, openBackend } from "@core/protocols";
import { redactUrl } from "@core/protocols/kit";

/** The backend URL chosen for each protocol. */
export interface BackendChoice {
  cache: string;
  queue: string;
  records: string;
  transport: string;
  sql: string;
}

/**
 * The embedded defaults: nothing to start, everything in a fresh temp directory — the
 * queue in files (an append-only log per topic), the rest in one SQLite database, the
 * transport in memory.
 *
 * @example
 * ```ts
 * const choice = { ...embeddedDefaults(), queue: "redis://127.0.0.1:6379" };
 * ```
 */
export function embeddedDefaults(dataDir = mkdtempSync(join(tmpdir(), "core-playground-"))): BackendChoice {
  const db = `sqlite:${join(dataDir, "demo.db")}`;
  return { cache: db, queue: `file:${join(dataDir, "queue")}`, records: db, transport: "memory:", sql: db };
}

const START_HINTS: Record<string, string> = {
  postgres: "start it with: bash tooling/scripts/start-services.sh (or pg_ctlcluster … main start)",
  postgresql: "start it with: bash tooling/scripts/start-services.sh (or pg_ctlcluster … main start)",
  redis: "start it with: bash tooling/scripts/start-services.sh (or redis-server --daemonize yes)",
  rediss: "start it with: bash tooling/scripts/start-services.sh (or redis-server --daemonize yes)",
};

/**
 * Opens each distinct URL once and hands the same backend to every protocol that chose
 * it. Errors say which flag was wrong and, for a server that is down, how to start it.
 *
 * @example
 * ```ts
 * const pool = new BackendPool();
 * const backend = await pool.open("--cache", "memory:");
 * await pool.closeAll();
 * ```
 */
export class BackendPool {
  readonly #open = new Map<string, Promise<Backend>>();

  open(flag: string, url: string): Promise<Backend> {
    let backend = this.#open.get(url);
    if (!backend) {
      backend = openBackend(url).catch((err: unknown) => {
        throw explain(flag, url, err);
      });
      this.#open.set(url, backend);
    }
    return backend;
  }

  async closeAll(): Promise<void> {
    const all = await Promise.allSettled(this.#open.values());
    await Promise.all(all.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    this.#open.clear();
  }
}

/**
 * Turns an open failure into an error naming the flag and what to do.
 *
 * @example
 * ```ts
 * throw explain("--queue", "redis://127.0.0.1:1", err);
 * ```
 */
export function explain(flag: string, url: string, err: unknown): Error {
  const safe = redactUrl(url);
  if (BackendError.is(err)) {
    const scheme = safe.split(":")[0] ?? "";
    // Backends that already name the start command keep their message as it is.
    const hinted = err.message.includes("start-services.sh");
    const hint = err.code === "CONNECTION" && !hinted ? ` — ${START_HINTS[scheme] ?? "is the server running?"}` : "";
    return new BackendError(err.code, `${flag} ${safe}: ${err.message}${hint}`, { backend: err.backend, cause: err });
  }
  return new Error(`${flag} ${safe}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
