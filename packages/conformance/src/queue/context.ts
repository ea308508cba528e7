import type { Backend, Capabilities, ErrorCode, Queue, QueueEntry, QueueOptions } from "@core/protocols";
import { expect } from "vitest";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";

/**
 * What every queue test reads: the backend opened in `beforeAll`, its capabilities (read
 * from an instance while collecting, so gated tests are registered, never skipped) and
 * the suite options.
 *
 * @example
 * ```ts
 * const q = ctx.queue(); // a fresh topic on ctx.backend
 * ```
 */
export interface QueueContext {
  readonly options: ConformanceOptions;
  readonly caps: Capabilities;
  /** Multiplier of bounded waits. */
  readonly timeScale: number;
  /** The client opened in `beforeAll`. */
  backend: Backend;
  /** A queue on a fresh topic of {@link backend}. */
  queue<V = unknown>(options?: QueueOptions): Queue<V>;
}

/**
 * Builds the context; `backend` is filled in by `beforeAll`.
 *
 * @example
 * ```ts
 * const ctx = createQueueContext(options, probe.capabilities);
 * ```
 */
export function createQueueContext(options: ConformanceOptions, caps: Capabilities): QueueContext {
  const ctx: QueueContext = {
    options,
    caps,
    timeScale: options.timeScale ?? 1,
    backend: undefined as unknown as Backend,
    queue: <V>(queueOptions?: QueueOptions) => ctx.backend.queue<V>(freshName("queue"), queueOptions),
  };
  return ctx;
}

/**
 * Asserts that `fn` fails (synchronously or by rejecting) with a `BackendError` of `code`.
 *
 * @example
 * ```ts
 * await expectCode(() => q.get({ offset: -1 }), "INVALID_ARGUMENT");
 * ```
 */
export async function expectCode(fn: () => unknown, code: ErrorCode): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  expect(error, `expected a BackendError with code ${code}`).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("BackendError");
  expect((error as { code?: unknown }).code).toBe(code);
  expect((error as Error).message).toMatch(/^\[[^\]]+\] /);
}

/**
 * Reads a whole (non-blocking or bounded) stream into an array. A `stream()` that throws
 * synchronously surfaces as a rejection, so callers need not care which one a backend does.
 *
 * @example
 * ```ts
 * const entries = await collect(() => q.stream({ offset: 0 }));
 * ```
 */
export async function collect<V>(open: () => AsyncIterable<QueueEntry<V>>): Promise<QueueEntry<V>[]> {
  const out: QueueEntry<V>[] = [];
  for await (const entry of open()) out.push(entry);
  return out;
}

/**
 * The `[offset, value]` pairs of entries, for comparing without timestamps.
 *
 * @example
 * ```ts
 * expect(pairs(await q.get())).toEqual([[0, "a"]]);
 * ```
 */
export function pairs<V>(entries: readonly QueueEntry<V>[]): [number, V][] {
  return entries.map((e) => [e.offset, e.value]);
}

/**
 * Resolves with `promise`'s value, or rejects once `ms` pass.
 *
 * @example
 * ```ts
 * const next = await within(iterator.next(), 2000, "the wake-up");
 * ```
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * True if `promise` is still pending after `ms` (it settles later or never).
 *
 * @example
 * ```ts
 * expect(await stillPending(iterator.next(), 30)).toBe(true);
 * ```
 */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const pending = Symbol("pending");
  const timeout = new Promise<typeof pending>((resolve) => setTimeout(() => resolve(pending), ms));
  return (
    (await Promise.race([
      promise.then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ])) === pending
  );
}

/** Values the default codec must round-trip exactly, falsy ones included. */
export const SAMPLE_VALUES: readonly unknown[] = [
  0,
  "",
  false,
  null,
  -1.5,
  "héllo / ünïcode ✓ \n",
  new Date("2024-02-29T12:34:56.789Z"),
  123456789012345678901234567890n,
  new Uint8Array([0, 1, 2, 254, 255]),
  new Map<unknown, unknown>([
    ["a", 1],
    [2, new Set(["x"])],
  ]),
  new Set([1, "two", null]),
  [1, [2, [3, { deep: new Date(0) }]]],
  { nested: { list: [true, 0, ""], when: new Date(1), big: -5n, bytes: new Uint8Array([9]) } },
];
