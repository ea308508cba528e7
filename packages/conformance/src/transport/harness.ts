import { randomUUID } from "node:crypto";
import {
  type Backend,
  BackendError,
  type Capabilities,
  type Message,
  type SubscribeOptions,
  type Subscription,
  type Transport,
} from "@core/protocols";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeCapability } from "../gate.js";
import { sleep, waitFor } from "../names.js";
import { type ConformanceOptions, SUITE_TEST_TIMEOUT_MS } from "../options.js";

/** Redelivery delay the suites ask for, so at-least-once tests stay quick. */
export const REDELIVERY_MS = 20;

/**
 * A message as a publisher would build it.
 *
 * @example
 * ```ts
 * await bus.send(channel, [message({ n: 1 })]);
 * ```
 */
export function message(payload: unknown, extra: Partial<Message> = {}): Message {
  return { id: randomUUID(), payload, headers: {}, publishedAt: Date.now(), ...extra };
}

/** What a test subscription saw: successful deliveries in `received`, every call in `attempts`. */
export interface Inbox {
  readonly received: Message[];
  readonly attempts: Message[];
  readonly subscription: Subscription;
  ids(): string[];
}

/** The per-suite state tests reach through. */
export interface TransportHarness {
  readonly options: ConformanceOptions;
  /** The capabilities the backend declared while the suite was collected. */
  readonly caps: Capabilities;
  /** The backend opened in `beforeAll`. */
  backend(): Backend;
  /** Bounded wait for a condition, scaled by `timeScale`. */
  until(check: () => boolean, what: string): Promise<void>;
  /** A short pause to let unwanted deliveries show up before asserting their absence. */
  quiet(): Promise<void>;
  /** Subscribes with a recording handler; `fail(m, attempt)` returning true makes the handler throw. */
  inbox(
    bus: Transport,
    channel: string,
    options?: SubscribeOptions,
    fail?: (m: Message, attempt: number) => boolean,
  ): Promise<Inbox>;
  /** Closes `backend` after the test. */
  own(backend: Backend): Backend;
  /** Closes `bus` after the test. */
  ownTransport(bus: Transport): Transport;
}

/**
 * Registers a suite of transport tests under `title`. The capabilities are read from a
 * probe instance while collecting: without `capabilities.transport` the suite is one test
 * asserting `transport()` throws NOT_SUPPORTED (and `delivery` is `"none"`), and every
 * test of `register` is reported as skipped under "transport: not supported by this
 * backend" — never as passing tests that ran nothing.
 *
 * @example
 * ```ts
 * describeTransportSuite(`transport conformance: ${options.name}`, options, (h) => {
 *   transportTest(h, "delivers", async (bus) => { … });
 * });
 * ```
 */
export function describeTransportSuite(
  title: string,
  options: ConformanceOptions,
  register: (h: TransportHarness) => void,
): void {
  describe(title, { timeout: SUITE_TEST_TIMEOUT_MS }, async () => {
    const probe = await options.open();
    const caps = probe.capabilities;
    await probe.close();
    const h = transportHarness(options, caps);
    if (!caps.transport) {
      it("backend.transport() is NOT_SUPPORTED without capabilities.transport", () => {
        expect(caps.delivery).toBe("none");
        expectCode(() => h.backend().transport({ redeliveryDelayMs: REDELIVERY_MS }), "NOT_SUPPORTED");
      });
    }
    describeCapability(caps.transport, "transport", () => register(h));
  });
}

/**
 * Opens the backend once for a suite and unsubscribes and closes what tests created.
 *
 * @example
 * ```ts
 * const h = transportHarness(options, probe.capabilities);
 * transportTest(h, "delivers", async (bus) => { … });
 * ```
 */
export function transportHarness(options: ConformanceOptions, caps: Capabilities): TransportHarness {
  const scale = options.timeScale ?? 1;
  let backend: Backend | undefined;
  const subscriptions: Subscription[] = [];
  const owned: Backend[] = [];
  const buses: Transport[] = [];
  beforeAll(async () => {
    backend = await options.open();
  });
  afterEach(async () => {
    await Promise.allSettled(subscriptions.splice(0).map((s) => s.unsubscribe()));
    await Promise.allSettled(buses.splice(0).map((b) => b.close()));
    await Promise.allSettled(owned.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    await backend?.close();
  });
  return {
    options,
    caps,
    backend() {
      if (!backend) throw new Error("the backend did not open (see beforeAll)");
      return backend;
    },
    // A bound, not a speed target: only a failing test waits it out, and a loaded CI machine needs the room.
    until: (check, what) => waitFor(check, 10_000 * scale, what),
    quiet: () => sleep(60 * scale),
    own(b) {
      owned.push(b);
      return b;
    },
    ownTransport(bus) {
      buses.push(bus);
      return bus;
    },
    async inbox(bus, channel, subscribeOptions, fail) {
      const received: Message[] = [];
      const attempts: Message[] = [];
      const subscription = await bus.subscribe(
        channel,
        (m) => {
          attempts.push(m);
          const attempt = attempts.filter((a) => a.id === m.id).length;
          if (fail?.(m, attempt)) throw new Error(`conformance: handler fails ${m.id} on attempt ${attempt}`);
          received.push(m);
        },
        subscribeOptions,
      );
      subscriptions.push(subscription);
      return { received, attempts, subscription, ids: () => received.map((m) => m.id) };
    },
  };
}

/**
 * Registers a test that runs `fn` with a transport of the suite's backend (asking for a
 * short redelivery delay). Register it inside {@link describeTransportSuite}, which skips
 * it for a backend without `capabilities.transport`.
 *
 * @example
 * ```ts
 * transportTest(h, "delivers in order", async (bus, backend) => { … });
 * ```
 */
export function transportTest(
  h: TransportHarness,
  title: string,
  fn: (bus: Transport, backend: Backend) => Promise<void>,
): void {
  it(title, async () => {
    const backend = h.backend();
    await fn(h.ownTransport(backend.transport({ redeliveryDelayMs: REDELIVERY_MS })), backend);
  });
}

/** Asserts that `fn` throws (synchronously) a BackendError with `code`. */
export function expectCode(fn: () => unknown, code: BackendError["code"]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a BackendError ${code}`).toBeInstanceOf(BackendError);
  expect((caught as BackendError).code).toBe(code);
}

/** Asserts that `promise` rejects with a BackendError with `code`. */
export async function expectRejects(promise: Promise<unknown>, code: BackendError["code"]): Promise<void> {
  const caught = await promise.then(
    () => undefined,
    (err: unknown) => err ?? new Error("rejected with nothing"),
  );
  expect(caught, `expected a rejection with BackendError ${code}`).toBeInstanceOf(BackendError);
  expect((caught as BackendError).code).toBe(code);
}
