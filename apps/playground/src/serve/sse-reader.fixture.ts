/** One parsed server-sent event. */
export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * Reads a server-sent-event stream with fetch until `until` says stop or `timeoutMs`
 * passes (then it fails, listing what arrived).
 *
 * @example
 * ```ts
 * const events = await readSse(`${url}api/queue/tail`, (all) => all.length >= 3);
 * ```
 */
export async function readSse(
  url: string,
  until: (events: SseEvent[]) => boolean,
  options: { timeoutMs?: number; onOpen?: () => Promise<void> } = {},
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 5000);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: "text/event-stream" } });
    if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    if (!res.headers.get("content-type")?.startsWith("text/event-stream"))
      throw new Error(`${url}: not an event stream`);
    const opened = options.onOpen?.();
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = res.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const fields = new Map<string, string>();
        for (const line of block.split("\n")) {
          if (line.startsWith(":") || !line.includes(":")) continue;
          const at = line.indexOf(":");
          fields.set(line.slice(0, at), line.slice(at + 1).trimStart());
        }
        if (!fields.has("data")) continue;
        events.push({
          event: fields.get("event") ?? "message",
          id: fields.get("id"),
          data: JSON.parse(fields.get("data")!),
        });
        if (until(events)) {
          await opened;
          return events;
        }
      }
    }
    throw new Error(`${url}: stream ended after ${JSON.stringify(events)}`);
  } catch (err) {
    if (controller.signal.aborted) throw new Error(`${url}: timed out; events so far: ${JSON.stringify(events)}`);
    throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
