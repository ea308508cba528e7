import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname } from "node:path";
import { sendJson } from "./router.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

// Only these names are served: no path from the request ever reaches the file system.
const FILES: Record<string, string> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/api.js": "api.js",
  "/records.js": "records.js",
  "/group-stream.js": "group-stream.js",
  "/promote.js": "promote.js",
  "/sql-transaction.js": "sql-transaction.js",
  "/charts.js": "charts.js",
  "/style.css": "style.css",
};

/**
 * Serves the page's static files (src/web, copied to dist/web by the build).
 *
 * @example
 * ```ts
 * if (await serveStatic(res, url.pathname)) return;
 * ```
 */
export async function serveStatic(res: ServerResponse, pathname: string, webDir: URL): Promise<boolean> {
  const name = FILES[pathname];
  if (!name) return false;
  try {
    const body = await readFile(new URL(name, webDir));
    res.writeHead(200, {
      "content-type": TYPES[extname(name)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    res.end(body);
  } catch (err) {
    sendJson(res, 500, {
      error: {
        code: "INTERNAL",
        message: `web file ${name} is missing (${(err as Error).message}); rebuild the playground`,
      },
    });
  }
  return true;
}
