import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidArgument, isPlainObject } from "@core/protocols/kit";
import { ApiError, toApiError } from "./http-errors.js";

/** What a route handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Query-string parameters as a plain object. */
  query: Record<string, string>;
  /** The JSON request body (an object; `{}` when empty). */
  body(): Promise<Record<string, unknown>>;
}

/**
 * A handler returns the JSON to send, or `undefined` after writing the response itself
 * (server-sent event streams do).
 */
export type RouteHandler = (ctx: RouteContext) => Promise<unknown>;

const MAX_BODY = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw invalidArgument("playground", "request body is larger than 1 MiB");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument("playground", "request body is not valid JSON");
  }
  if (!isPlainObject(parsed)) throw invalidArgument("playground", "request body must be a JSON object");
  return parsed;
}

/**
 * Sends a JSON response.
 *
 * @example
 * ```ts
 * sendJson(res, 200, { ok: true });
 * ```
 */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/**
 * Exact-path routing for the JSON API: `METHOD /path` → handler. Every failure becomes
 * `{ error: { code, message } }` with a 4xx/5xx status.
 *
 * @example
 * ```ts
 * const router = new Router();
 * router.add("GET", "/api/ping", async () => ({ pong: true }));
 * await router.handle(req, res);
 * ```
 */
export class Router {
  readonly #routes = new Map<string, RouteHandler>();

  add(method: "GET" | "POST", path: string, handler: RouteHandler): this {
    this.#routes.set(`${method} ${path}`, handler);
    return this;
  }

  /** True when some method is routed at `path` (for telling 404 from 405). */
  has(path: string): boolean {
    return this.#routes.has(`GET ${path}`) || this.#routes.has(`POST ${path}`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const handler = this.#routes.get(`${req.method} ${url.pathname}`);
      if (!handler) {
        throw this.has(url.pathname)
          ? new ApiError("INVALID_ARGUMENT", `${req.method} is not allowed on ${url.pathname}`)
          : new ApiError("NOT_FOUND", `no route ${req.method} ${url.pathname}`);
      }
      const result = await handler({
        req,
        res,
        url,
        query: Object.fromEntries(url.searchParams),
        body: () => readJson(req),
      });
      if (result !== undefined && !res.headersSent) sendJson(res, 200, result);
    } catch (err) {
      const { status, body } = toApiError(err);
      if (!res.headersSent) sendJson(res, status, body);
      else res.end();
    }
  }
}
