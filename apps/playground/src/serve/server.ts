import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BackendChoice, embeddedDefaults } from "../backends.js";
import { backendRoutes, type LoadedPackage } from "./api-backends.js";
import { cacheRoutes } from "./api-cache.js";
import { groupStreamRoutes } from "./api-group-stream.js";
import { queueRoutes } from "./api-queue.js";
import { recordRoutes } from "./api-records.js";
import { promoteRoutes } from "./api-records-promote.js";
import { sqlRoutes } from "./api-sql.js";
import { sqlTransactionRoutes } from "./api-sql-transaction.js";
import { transportRoutes } from "./api-transport.js";
import { Router, sendJson } from "./router.js";
import { PlaygroundSession } from "./session.js";
import { serveStatic } from "./static-files.js";

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 4680. */
  port?: number;
  /** Backends chosen when the page opens (defaults: embedded, in a temp directory). */
  initial?: Partial<BackendChoice>;
  /** Where embedded backends keep their files. Default: a fresh temp directory. */
  dataDir?: string;
  /** Third-party backend packages already registered (`--backend-package`): the page lists their schemes. */
  packages?: readonly LoadedPackage[];
}

/** A running playground server. */
export interface PlaygroundServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  readonly session: PlaygroundSession;
  /** Ends live streams, closes the backends and stops listening. */
  close(): Promise<void>;
}

/**
 * URLs the page offers in its pickers: the embedded ones plus the servers from
 * POSTGRES_URL / REDIS_URL (or the local defaults).
 *
 * @example
 * ```ts
 * suggestedUrls("/tmp/pg"); // ["memory:", "sqlite::memory:", …]
 * ```
 */
export function suggestedUrls(dataDir: string): string[] {
  return [
    "memory:",
    `file:${join(dataDir, "files")}`,
    `sqlite:${join(dataDir, "playground.db")}`,
    "sqlite::memory:",
    process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test",
    process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  ];
}

/**
 * Starts the playground web page on 127.0.0.1 (never on other interfaces: the SQL
 * console runs whatever it is given). Requests whose Host is not this machine are
 * refused, so a web page elsewhere cannot reach it through DNS rebinding.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function startServer(options: ServeOptions = {}): Promise<PlaygroundServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "core-playground-serve-"));
  const session = new PlaygroundSession({ ...embeddedDefaults(dataDir), ...options.initial });
  const shutdown = new AbortController();
  const router = new Router();
  backendRoutes(router, session, suggestedUrls(dataDir), options.packages ?? []);
  cacheRoutes(router, session);
  queueRoutes(router, session, shutdown.signal);
  groupStreamRoutes(router, session);
  recordRoutes(router, session);
  transportRoutes(router, session, shutdown.signal);
  sqlRoutes(router, session);
  promoteRoutes(router, session);
  sqlTransactionRoutes(router, session, shutdown.signal);
  const webDir = new URL("../web/", import.meta.url);

  let port = options.port ?? 4680;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const host = (req.headers.host ?? "").toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendJson(res, 403, { error: { code: "INVALID_ARGUMENT", message: `host ${host} is not allowed` } });
      return;
    }
    const work = url.pathname.startsWith("/api/")
      ? router.handle(req, res, url)
      : serveStatic(res, url.pathname, webDir).then((served) => {
          if (!served) sendJson(res, 404, { error: { code: "NOT_FOUND", message: `no page ${url.pathname}` } });
        });
    work.catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL", message: String(err) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    session,
    async close() {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await session.close();
      server.closeAllConnections();
      await closed;
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
