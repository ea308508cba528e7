import { type Backend, createPublisher, type Message, type Transport } from "@core/protocols";
import { stringField, toApiError } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";
import { openSse, type SseStream, sendUnsupported } from "./sse.js";

// One transport per open backend: subscriptions and sends share its connections.
const transports = new WeakMap<Backend, Transport>();

function transportOf(backend: Backend): Transport {
  let transport = transports.get(backend);
  if (!transport) {
    transport = backend.transport();
    transports.set(backend, transport);
  }
  return transport;
}

/**
 * Publisher routes: `POST /api/transport/publish` goes through `createPublisher` (with
 * retries) and answers with the receipt; `GET /api/transport/subscribe?channel=` is a
 * server-sent-event stream of `message` events from a live subscriber.
 *
 * @example
 * ```ts
 * transportRoutes(router, session, shutdownSignal);
 * // POST /api/transport/publish { "channel": "news", "payload": { "hello": 1 } }
 * ```
 */
export function transportRoutes(router: Router, session: PlaygroundSession, shutdown: AbortSignal): void {
  router.add("POST", "/api/transport/publish", async (ctx) => {
    const body = await ctx.body();
    const channel = stringField(body, "channel");
    const idempotencyKey =
      typeof body.idempotencyKey === "string" && body.idempotencyKey ? body.idempotencyKey : undefined;
    return session.timed("transport", "publish", async (backend) => {
      const publisher = createPublisher({
        transports: { main: transportOf(backend) },
        channels: { [channel]: { transport: "main", retries: 2, backoff: { initialMs: 20, maxMs: 200 } } },
      });
      try {
        const receipt = await publisher.publish(channel, body.payload ?? null, { idempotencyKey });
        return {
          ...receipt,
          transports: receipt.transports.map(({ error, ...t }) => ({
            ...t,
            error: error === undefined ? undefined : toApiError(error).body.error,
          })),
        };
      } finally {
        await publisher.close();
      }
    });
  });

  router.add("GET", "/api/transport/subscribe", async (ctx) => {
    const channel = stringField(ctx.query, "channel");
    const backend = await session.backend("transport");
    if (!backend.capabilities.transport) return sendUnsupported(ctx.req, ctx.res, "transport", backend.name);
    // Messages may arrive before the stream is open; hold them until it is.
    let sse: SseStream | undefined;
    const early: Message[] = [];
    const forward = (stream: SseStream, message: Message) =>
      stream.send("message", { channel, ...message }, message.id);
    const subscription = await transportOf(backend).subscribe(channel, (message) => {
      if (sse) forward(sse, message);
      else early.push(message);
    });
    sse = openSse(ctx.req, ctx.res, shutdown);
    for (const message of early) forward(sse, message);
    sse.send("subscribed", { channel, backend: backend.name });
    const signal = sse.signal;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    await subscription.unsubscribe().catch(() => {
      // The backend may already be closed (switched); nothing left to unsubscribe.
    });
    return undefined;
  });
}
