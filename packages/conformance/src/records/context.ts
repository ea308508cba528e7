import type {
  Backend,
  Capabilities,
  ErrorCode,
  RecordInput,
  RecordStore,
  RecordStoreOptions,
  StoredRecord,
} from "@core/protocols";
import { expect } from "vitest";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";

/**
 * What every record-store test reads: the backend opened in `beforeAll`, its capabilities
 * (read from a probe instance while collecting, so gated tests are registered, never
 * skipped) and the suite options.
 *
 * @example
 * ```ts
 * const store = ctx.store(); // a fresh collection on ctx.backend
 * ```
 */
export interface RecordsContext {
  readonly options: ConformanceOptions;
  readonly caps: Capabilities;
  /** fast-check runs per property. */
  readonly numRuns: number;
  /** The client opened in `beforeAll`. */
  backend: Backend;
  /** A record store on a fresh collection of {@link backend}. */
  store(options?: RecordStoreOptions): RecordStore;
}

/**
 * Builds the context; `backend` is filled in by `beforeAll`.
 *
 * @example
 * ```ts
 * const ctx = createRecordsContext(options, probe.capabilities);
 * ```
 */
export function createRecordsContext(options: ConformanceOptions, caps: Capabilities): RecordsContext {
  const ctx: RecordsContext = {
    options,
    caps,
    numRuns: options.numRuns ?? 25,
    backend: undefined as unknown as Backend,
    store: (storeOptions) => ctx.backend.records(freshName("records"), storeOptions),
  };
  return ctx;
}

/**
 * Asserts that `fn` fails (synchronously or by rejecting) with a `BackendError` of `code`
 * whose message starts with `[backend]`.
 *
 * @example
 * ```ts
 * await expectCode(() => store.get(""), "INVALID_ARGUMENT");
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
  expect((error as Error).name, String(error)).toBe("BackendError");
  expect((error as { code?: unknown }).code, String(error)).toBe(code);
  expect((error as Error).message).toMatch(/^\[[^\]]+\] /);
}

/**
 * Reads a whole query into an array. A `query()` that throws synchronously surfaces as a
 * rejection, so callers need not care which one a backend does.
 *
 * @example
 * ```ts
 * const records = await collect(() => store.query({ layer: "gold" }));
 * ```
 */
export async function collect(open: () => AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of open()) out.push(record);
  return out;
}

/**
 * The ids of records, for comparing results and their order.
 *
 * @example
 * ```ts
 * expect(ids(await collect(() => store.query()))).toEqual(["a", "b"]);
 * ```
 */
export function ids(records: readonly StoredRecord[]): string[] {
  return records.map((r) => r.id);
}

/**
 * A record input with a derived natural key (`nk:<id>`) and the given content.
 *
 * @example
 * ```ts
 * await store.store(rec("a", { score: 5 }, { layer: "gold" }));
 * ```
 */
export function rec(id: string, content: Record<string, unknown> = {}, extra: Partial<RecordInput> = {}): RecordInput {
  return { id, naturalKey: `nk:${id}`, content, ...extra };
}

/**
 * Asserts the collection still holds exactly `expected` (ids in id order), for "nothing
 * was written" checks after a rejected call.
 *
 * @example
 * ```ts
 * await expectIds(store, ["a"]);
 * ```
 */
export async function expectIds(store: RecordStore, expected: string[]): Promise<void> {
  expect(ids(await collect(() => store.query({ limit: 1000 })))).toEqual([...expected].sort(codePointOrder));
  expect(await store.count()).toBe(expected.length);
}

/**
 * Sort comparator by code point (what every backend's id order is).
 *
 * @example
 * ```ts
 * ["b", "a"].sort(codePointOrder);
 * ```
 */
export function codePointOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
