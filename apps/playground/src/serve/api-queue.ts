import type { Queue, QueueEntry } from "@core/protocols";
import { intField, toApiError } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";
import { openSse, sendUnsupported } from "./sse.js";

/** The topic every page action works on. */
export const QUEUE_TOPIC = "playground";
const TAIL_BACKLOG = 20;
const POLL_MS = 100;

/**
 * Queue routes: put, read a page, stats, and `GET /api/queue/tail` — a server-sent-event
 * stream of `entry` events (id = offset) that follows the topic as it grows (one
 * `unsupported` event instead when the chosen backend has no queue).
 *
 * @example
 * ```ts
 * queueRoutes(router, session, shutdownSignal);
 * // new EventSource("/api/queue/tail").addEventListener("entry", …)
 * ```
 */
export function queueRoutes(router: Router, session: PlaygroundSession, shutdown: AbortSignal): void {
  const queue = <T>(op: string, fn: (q: Queue) => Promise<T>): Promise<T> =>
    session.timed("queue", op, (b) => fn(b.queue(QUEUE_TOPIC)));

  router.add("POST", "/api/queue/put", async (ctx) => {
    const body = await ctx.body();
    const value = body.value ?? null;
    const offset = await queue("put", async (q) => {
      const at = await q.put(value);
      // Buffered backends hold writes briefly; flush so the tail shows it at once.
      await q.flush();
      return at;
    });
    return { offset };
  });
  router.add("GET", "/api/queue/entries", async (ctx) => {
    const offset = intField(ctx.query, "offset");
    const limit = intField(ctx.query, "limit") ?? 50;
    return { entries: await queue("get", (q) => q.get({ offset, limit })) };
  });
  router.add("GET", "/api/queue/stats", async () => queue("stats", (q) => q.stats()));

  router.add("GET", "/api/queue/tail", async (ctx) => {
    const backend = await session.backend("queue");
    if (!backend.capabilities.queue) return sendUnsupported(ctx.req, ctx.res, "queue", backend.name);
    const q = backend.queue(QUEUE_TOPIC);
    const lastId = ctx.req.headers["last-event-id"];
    let from = intField(ctx.query, "from");
    if (typeof lastId === "string" && /^\d+$/.test(lastId)) from = Number(lastId) + 1;
    if (from === undefined) from = Math.max(0, (await q.stats()).totalCount - TAIL_BACKLOG);
    const sse = openSse(ctx.req, ctx.res, shutdown);
    const send = (e: QueueEntry) => sse.send("entry", e, e.offset);
    try {
      if (backend.capabilities.blockingStream) {
        for await (const e of q.stream({ offset: from, block: true, signal: sse.signal })) send(e);
      } else {
        await pollTail(q, from, sse.signal, send);
      }
      // The stream ended without the client leaving: the backend was switched or closed.
      sse.send("end", { reason: "the queue backend was closed or switched" });
    } catch (err) {
      if (!sse.signal.aborted) sse.send("failure", toApiError(err).body.error);
    } finally {
      sse.close();
    }
    return undefined;
  });
}

async function pollTail(q: Queue, from: number, signal: AbortSignal, send: (e: QueueEntry) => void): Promise<void> {
  let next = from;
  while (!signal.aborted) {
    const entries = await q.get({ offset: next, limit: 100 });
    for (const e of entries) send(e);
    if (entries.length > 0) next = entries[entries.length - 1]!.offset + 1;
    else await new Promise((r) => setTimeout(r, POLL_MS).unref());
  }
}
