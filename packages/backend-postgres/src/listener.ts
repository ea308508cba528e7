import { createHash } from "node:crypto";
import { quoteIdentifier, type Waiter, type WakeSource } from "@core/protocols/kit";
import type pg from "pg";
import { loadPg } from "./driver.js";

const RECONNECT_MS = [20, 50, 100, 250, 500, 1000];

/**
 * The NOTIFY channel of a backend schema: short, lower-case and the same in every
 * process that opens the schema.
 *
 * @example
 * ```ts
 * notifyChannel("core"); // "core_events_" + 12 hex digits
 * ```
 */
export function notifyChannel(schema: string): string {
  return `core_events_${createHash("sha256").update(schema).digest("hex").slice(0, 12)}`;
}

interface Armed {
  fired: boolean;
  wake: (() => void) | undefined;
}

/**
 * One dedicated LISTEN connection per backend, started on first use. Payloads are keys
 * (`q:<topic>`, `t:<channel>`); waiters armed for a key are woken when it is notified.
 * When the connection drops (server restart, `pg_terminate_backend`) it reconnects with
 * backoff, LISTENs again and wakes every waiter, because notifications sent meanwhile
 * were lost: waiters re-read, so nothing is missed.
 *
 * @example
 * ```ts
 * const w = listener.arm("q:events");
 * if ((await readPage()).length === 0) await w.wait(1000, signal);
 * w.dispose();
 * ```
 */
export class Listener implements WakeSource {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #waiters = new Map<string, Set<Armed>>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;
  /** Connections made so far (tests watch it to see a reconnect). */
  connections = 0;

  constructor(config: pg.ClientConfig, channel: string) {
    this.#config = config;
    this.#channel = channel;
  }

  /** Connects if needed; resolves once LISTEN is active or the attempt failed (polling covers it). */
  ready(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#client) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** The server process id of the LISTEN connection, if connected (for fault tests). */
  get processId(): number | undefined {
    return (this.#client as unknown as { processID?: number } | undefined)?.processID;
  }

  arm(key: string): Waiter {
    const armed: Armed = { fired: false, wake: undefined };
    let set = this.#waiters.get(key);
    if (!set) this.#waiters.set(key, (set = new Set()));
    set.add(armed);
    const dispose = () => {
      const s = this.#waiters.get(key);
      s?.delete(armed);
      if (s && s.size === 0) this.#waiters.delete(key);
    };
    return {
      dispose,
      ready: () => this.ready(),
      wait: (timeoutMs, signal) =>
        new Promise<void>((resolve) => {
          if (armed.fired || signal.aborted) {
            armed.fired = false;
            return resolve();
          }
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            armed.wake = undefined;
            armed.fired = false;
            resolve();
          };
          // Ref'd: an active blocking wait keeps the process alive (the LISTEN socket does not).
          const timer = setTimeout(done, timeoutMs);
          signal.addEventListener("abort", done, { once: true });
          armed.wake = done;
        }),
    };
  }

  #fire(armed: Armed): void {
    armed.fired = true;
    armed.wake?.();
  }

  #dispatch(payload: string | undefined): void {
    if (payload === undefined) return;
    for (const armed of this.#waiters.get(payload) ?? []) this.#fire(armed);
  }

  #wakeAll(): void {
    for (const set of this.#waiters.values()) for (const armed of set) this.#fire(armed);
  }

  async #connect(): Promise<void> {
    const { Client } = await loadPg();
    const client = new Client(this.#config);
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      this.#scheduleReconnect();
    };
    client.on("error", onLost);
    client.on("end", onLost);
    client.on("notification", (msg) => this.#dispatch(msg.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.#channel)}`);
    } catch {
      onLost();
      return;
    }
    if (this.#closed) {
      lost = true;
      await client.end().catch(() => {});
      return;
    }
    // The idle LISTEN connection never holds the process: a waiter's timer does, while it
    // waits, so an aborted stream or ended subscription leaves nothing keeping it alive.
    (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    this.#client = client;
    this.#failures = 0;
    this.connections++;
    // Anything notified while we were not listening is lost: make every waiter re-read.
    this.#wakeAll();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#timer) return;
    const delay = RECONNECT_MS[Math.min(this.#failures++, RECONNECT_MS.length - 1)] as number;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.ready();
    }, delay);
    this.#timer.unref();
  }

  /** Ends the connection and wakes every waiter. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#wakeAll();
    await this.#connecting?.catch(() => {});
    if (client) await endListenerClient(client);
  }
}

/** How long `close()` waits for the server to acknowledge the LISTEN connection's end. */
const END_TIMEOUT_MS = 1000;

/**
 * Ends the LISTEN client without ever hanging `close()`: its socket is ref'd again, so the
 * process waits for the end instead of exiting mid-close (seen: the bench exited silently,
 * code 0, inside `backend.close()`), and destroyed if the server does not answer in time.
 */
async function endListenerClient(client: pg.Client): Promise<void> {
  const stream = (client as unknown as { connection?: { stream?: { ref?: () => void; destroy?: () => void } } })
    .connection?.stream;
  stream?.ref?.();
  const timer = setTimeout(() => stream?.destroy?.(), END_TIMEOUT_MS);
  try {
    await client.end();
  } catch {
    // Already ended or broken: nothing is left to release.
  } finally {
    clearTimeout(timer);
  }
}
