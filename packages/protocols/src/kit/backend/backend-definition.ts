import type { Capabilities } from "../../capabilities.js";
import type { Lifecycle } from "../../lifecycle.js";
import type { SqlDatabase } from "../../sql.js";
import type { TransportOptions } from "../../transport.js";
import type { CacheDriver } from "../cache/cache-driver.js";
import type { QueueDriver } from "../queue/queue-driver.js";
import type { RecordDriver } from "../records/record-driver.js";
import type { TransportDriver } from "../transport/transport-driver.js";

/**
 * What a backend supplies to {@link defineBackend}: its name, what it can do, how to build
 * its state from the constructor's arguments, and one driver factory per protocol it has.
 * A protocol without a factory is `NOT_SUPPORTED`; the layer owns the lifecycle (`CLOSED`
 * after `close()`), `Symbol.asyncDispose` and the shared protocol layers
 * (`createCache`, `createQueue`, `createRecordStore`, `createTransport`).
 *
 * Factories receive the state `setup` returned and are called once per `backend.cache()`
 * (etc.) call, after the closed check.
 *
 * @typeParam State - what `setup` builds: connection, lifecycle, shared maps.
 * @typeParam Args - the generated class's constructor arguments.
 * @typeParam TOptions - the options `backend.transport()` accepts (a backend may extend them).
 *
 * @example
 * ```ts
 * const definition: BackendDefinition<{ lifecycle: Lifecycle }, []> = {
 *   name: "acme",
 *   capabilities: { cache: true },
 *   setup: (lifecycle) => ({ lifecycle }),
 *   cache: (state) => acmeCacheDriver(state),
 * };
 * ```
 */
export interface BackendDefinition<
  State,
  Args extends unknown[],
  TOptions extends TransportOptions = TransportOptions,
> {
  /** `backend.name`, and the name in every error message (`[acme] …`). */
  readonly name: string;
  /**
   * What the backend can do beyond its protocols (unspecified capabilities are absent), or
   * a function of the state for capabilities that depend on how it was opened. `cache`,
   * `queue`, `records`, `transport` and `sql` follow the driver factories given; a value
   * stated here must match them (a mismatch throws when the backend is constructed).
   */
  readonly capabilities?: Partial<Capabilities> | ((state: State) => Partial<Capabilities>);
  /**
   * Builds the state from the constructor's arguments. `lifecycle` is the backend's own:
   * give it to the drivers (they run work through it and register cleanups on it).
   */
  readonly setup: (lifecycle: Lifecycle, ...args: Args) => State;
  /** The cache's storage; `createCache` does validation, codec, stats and the rest. */
  readonly cache?: (state: State) => CacheDriver;
  /** The queue's storage; `createQueue` does the rest. */
  readonly queue?: (state: State) => QueueDriver;
  /** The record store's storage; `createRecordStore` does the rest. */
  readonly records?: (state: State) => RecordDriver;
  /** The transport's storage, given the caller's options; `createTransport` does the rest. */
  readonly transport?: (state: State, options: TOptions | undefined) => TransportDriver;
  /** The SQL database; built once, on the first `backend.sql()`. */
  readonly sql?: (state: State) => SqlDatabase;
  /**
   * Releases what the backend owns (pool, client, file handle). Runs last in `close()`:
   * after in-flight work ended and every other cleanup (the stores', and those `setup`
   * registered on the lifecycle) ran.
   */
  readonly close?: (state: State) => void | Promise<void>;
  /** Extra words for a protocol's `NOT_SUPPORTED` message, e.g. `{ sql: "use a SQL backend" }`. */
  readonly unsupportedHints?: Readonly<Partial<Record<Protocol, string>>>;
}

/**
 * The protocols a backend may have, each a method of `Backend`.
 *
 * @example
 * ```ts
 * const p: Protocol = "cache";
 * ```
 */
export type Protocol = "cache" | "queue" | "records" | "transport" | "sql";
