import type { Backend, Cache, Message, Queue, RecordStore, Transport } from "@core/protocols";

/** The stores a corpus case may call, all on seeded namespaces. */
export interface Stores {
  backend: Backend;
  cache: Cache;
  queue: Queue;
  records: RecordStore;
  transport: Transport;
}

/** One bad call: it must fail with `INVALID_ARGUMENT` and change nothing. */
export interface BadCase {
  label: string;
  call(s: Stores): unknown;
}

/**
 * A class instance: JSON-shaped on the surface, but no backend may store it.
 *
 * @example
 * ```ts
 * s.cache.set("a", new Custom()); // INVALID_ARGUMENT
 * ```
 */
export class Custom {
  x = 1;
}

/**
 * An object that contains itself.
 *
 * @example
 * ```ts
 * s.records.store({ id: "i", naturalKey: "k", content: cyclic() as never }); // INVALID_ARGUMENT
 * ```
 */
export const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

const cyclicArray = (): unknown => {
  const a: unknown[] = [1];
  a.push(a);
  return a;
};

/** Keys no backend may accept. */
export const BAD_KEYS: readonly [string, unknown][] = [
  ["empty", ""],
  ["1025 bytes", "k".repeat(1025)],
  ["1026 bytes of é", "é".repeat(513)],
  ["lone high surrogate", "a\uD800"],
  ["lone low surrogate", "\uDC00b"],
  ["number", 1],
  ["null", null],
  ["undefined", undefined],
  ["object", { key: "a" }],
  ["array", ["a"]],
  ["symbol", Symbol("k")],
];

/** Store, topic, channel and group names no backend may accept. */
export const BAD_NAMES: readonly [string, unknown][] = [
  ["empty", ""],
  ["129 characters", "n".repeat(129)],
  ["NUL", "a\u0000b"],
  ["newline", "a\nb"],
  ["DEL", "a\u007f"],
  ["number", 5],
  ["null", null],
  ["object", {}],
];

/** Values the default codec cannot encode. */
export const BAD_VALUES: readonly [string, () => unknown][] = [
  ["function", () => () => 1],
  ["symbol", () => Symbol("v")],
  ["cyclic object", cyclic],
  ["cyclic array", cyclicArray],
  ["class instance", () => new Custom()],
  ["nested function", () => ({ a: [1, { f: () => 1 }] })],
  ["nested symbol", () => [1, Symbol("s")]],
  ["WeakMap", () => new WeakMap()],
  ["Promise", () => Promise.resolve(1)],
];

/** TTLs every backend must reject. */
export const BAD_TTLS: readonly unknown[] = [
  0,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  "10",
  null,
];

/** Offsets and counts (non-negative integers) every backend must reject. */
export const BAD_COUNTS: readonly unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "1", null];

/**
 * A short printable form of a bad value, for case labels.
 *
 * @example
 * ```ts
 * show("k".repeat(30)); // "\"kkkkkkkkkkkkkkkkkkkk…\""
 * ```
 */
export const show = (v: unknown) =>
  typeof v === "string" ? JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v) : String(v);

/**
 * A valid message, optionally with fields replaced.
 *
 * @example
 * ```ts
 * s.transport.send("seed-ch", [message(), message({ id: 5 })]); // INVALID_ARGUMENT
 * ```
 */
export function message(extra: Partial<Record<keyof Message, unknown>> = {}): Message {
  return {
    id: `m-${Math.random().toString(36).slice(2)}`,
    payload: { ok: true },
    headers: {},
    publishedAt: Date.now(),
    ...extra,
  } as Message;
}
