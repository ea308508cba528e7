import type { IncomingMessage, ServerResponse } from "node:http";

/** An open server-sent-events stream. */
export interface SseStream {
  /** Sends one event; `id` lets a reconnecting EventSource resume (`Last-Event-ID`). */
  send(event: string, data: unknown, id?: string | number): void;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
  close(): void;
}

const HEARTBEAT_MS = 15_000;

/**
 * Switches a response to `text/event-stream`. Proxies and browsers drop idle streams, so a
 * comment line goes out every 15 s; the timer is unref'ed and stops with the stream.
 *
 * @example
 * ```ts
 * const sse = openSse(req, res);
 * sse.send("entry", { offset: 0, value: "hi" }, 0);
 * ```
 */
export function openSse(req: IncomingMessage, res: ServerResponse, shutdown?: AbortSignal): SseStream {
  const controller = new AbortController();
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
  });
  res.write(": connected\n\n");
  const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    if (controller.signal.aborted) return;
    clearInterval(heartbeat);
    controller.abort();
    res.end();
  };
  req.on("close", close);
  shutdown?.addEventListener("abort", close, { once: true });
  return {
    signal: controller.signal,
    close,
    send(event, data, id) {
      if (controller.signal.aborted) return;
      const json = JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      res.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`);
    },
  };
}

/**
 * Answers a stream request for a protocol the chosen backend does not have: one
 * `unsupported` event, then the end. The page closes its EventSource on that event, so it
 * shows "not supported" instead of reconnecting for ever.
 *
 * @example
 * ```ts
 * if (!backend.capabilities.queue) return sendUnsupported(req, res, "queue", backend.name);
 * ```
 */
export function sendUnsupported(
  req: IncomingMessage,
  res: ServerResponse,
  protocol: string,
  backend: string,
): undefined {
  const sse = openSse(req, res);
  sse.send("unsupported", { protocol, backend, message: `${protocol} is not supported by the ${backend} backend` });
  sse.close();
  return undefined;
}
