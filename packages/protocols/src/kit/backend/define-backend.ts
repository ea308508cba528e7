import type { Backend, RecordStoreOptions } from "../../backend.js";
import type { Cache, CacheOptions } from "../../cache.js";
import { type Capabilities, defineCapabilities } from "../../capabilities.js";
import { invalidArgument, notSupported } from "../../errors.js";
import { Lifecycle } from "../../lifecycle.js";
import type { Queue, QueueOptions } from "../../queue.js";
import type { RecordStore } from "../../records.js";
import type { SqlDatabase } from "../../sql.js";
import type { Transport, TransportOptions } from "../../transport.js";
import { createCache } from "../cache/create-cache.js";
import { createQueue } from "../queue/create-queue.js";
import { createRecordStore } from "../records/record-store.js";
import { createTransport } from "../transport/create-transport.js";
import type { BackendDefinition, Protocol } from "./backend-definition.js";

const PROTOCOLS: readonly Protocol[] = ["cache", "queue", "records", "transport", "sql"];

/**
 * The class {@link defineBackend} returns: construct it with the definition's `setup`
 * arguments, or extend it to add backend-specific members (which read `this.state`).
 *
 * @example
 * ```ts
 * const Acme: BackendClass<AcmeState, [url: string]> = defineBackend(definition);
 * const backend = new Acme("acme://host");
 * ```
 */
export type BackendClass<State, Args extends unknown[], TOptions extends TransportOptions = TransportOptions> = new (
  ...args: Args
) => DefinedBackend<State, TOptions>;

/**
 * A `Backend` built from a {@link BackendDefinition}: every protocol method checks the
 * closed state, then hands the definition's driver to the shared protocol layer.
 * Subclass the result of {@link defineBackend} rather than this class.
 *
 * @example
 * ```ts
 * class AcmeBackend extends defineBackend(definition) {
 *   get url(): string {
 *     return this.state.url;
 *   }
 * }
 * ```
 */
export class DefinedBackend<State, TOptions extends TransportOptions = TransportOptions> implements Backend {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** What the definition's `setup` built; for backend-specific members of a subclass. */
  protected readonly state: State;
  /** The backend's lifecycle: `CLOSED` after `close()`, cleanups, in-flight work. */
  protected readonly lifecycle: Lifecycle;
  // `any`, not State: a subclass may publish a narrower State (a backend hiding its
  // driver's types from its declarations), and the hooks taking State would make the class
  // types incompatible when compiled from source.
  readonly #definition: BackendDefinition<any, never[], TOptions>;
  #sql: SqlDatabase | undefined;

  constructor(definition: BackendDefinition<State, never[], TOptions>, args: unknown[]) {
    this.name = definition.name;
    this.#definition = definition;
    this.lifecycle = new Lifecycle(definition.name);
    const release = definition.close;
    // Registered before setup and before any store, so it runs after all their cleanups
    // (last in, first out): the connection outlives everything that may still use it.
    if (release) this.lifecycle.onClose(() => release(this.state));
    this.state = (definition.setup as (lifecycle: Lifecycle, ...rest: unknown[]) => State)(this.lifecycle, ...args);
    const given = definition.capabilities ?? {};
    const declared = typeof given === "function" ? given(this.state) : given;
    // A protocol left out of `capabilities` is there exactly when its driver factory is.
    const implied: Partial<Record<Protocol, boolean>> = {};
    for (const protocol of PROTOCOLS) implied[protocol] = definition[protocol] !== undefined;
    this.capabilities = defineCapabilities({ ...implied, ...declared });
    for (const protocol of PROTOCOLS) {
      if (this.capabilities[protocol] !== (definition[protocol] !== undefined)) {
        throw invalidArgument(
          definition.name,
          `capabilities.${protocol} is ${this.capabilities[protocol]} but the definition ${definition[protocol] ? "has a" : "has no"} ${protocol} driver`,
        );
      }
    }
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.lifecycle.assertOpen();
    const driver = this.#definition.cache;
    if (!driver) throw this.#unsupported("cache");
    return createCache<V>(driver(this.state), name, options);
  }

  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    this.lifecycle.assertOpen();
    const driver = this.#definition.queue;
    if (!driver) throw this.#unsupported("queue");
    return createQueue<V>(driver(this.state), name, options);
  }

  records(name: string, options?: RecordStoreOptions): RecordStore {
    this.lifecycle.assertOpen();
    const driver = this.#definition.records;
    if (!driver) throw this.#unsupported("records");
    return createRecordStore(driver(this.state), name, options);
  }

  transport(options?: TOptions): Transport {
    this.lifecycle.assertOpen();
    const driver = this.#definition.transport;
    if (!driver) throw this.#unsupported("transport");
    return createTransport(driver(this.state, options), options);
  }

  sql(): SqlDatabase {
    this.lifecycle.assertOpen();
    const open = this.#definition.sql;
    if (!open) throw this.#unsupported("sql");
    this.#sql ??= open(this.state);
    return this.#sql;
  }

  close(): Promise<void> {
    return this.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #unsupported(protocol: Protocol) {
    const hint = this.#definition.unsupportedHints?.[protocol];
    return notSupported(this.name, hint ? `${protocol} (${hint})` : protocol);
  }
}

/**
 * Builds a backend class from a {@link BackendDefinition}: the class owns the lifecycle
 * (`CLOSED` after `close()`), `NOT_SUPPORTED` for protocols without a driver,
 * `Symbol.asyncDispose`, and hands each driver to the shared protocol layer. Extend it to
 * add backend-specific members.
 *
 * @example
 * ```ts
 * import { defineBackend } from "@core/protocols/kit";
 *
 * export class AcmeBackend extends defineBackend({
 *   name: "acme",
 *   capabilities: { cache: true, maxEntries: true },
 *   setup: (lifecycle, options: { sweepIntervalMs?: number } = {}) => ({ lifecycle, options }),
 *   cache: (state) => acmeCacheDriver(state),
 * }) {}
 *
 * await using backend = new AcmeBackend();
 * await backend.cache("s").set("k", 1);
 * ```
 */
export function defineBackend<State, Args extends unknown[], TOptions extends TransportOptions = TransportOptions>(
  definition: BackendDefinition<State, Args, TOptions>,
): BackendClass<State, Args, TOptions> {
  const frozen = Object.freeze({ ...definition }) as unknown as BackendDefinition<State, never[], TOptions>;
  return class extends DefinedBackend<State, TOptions> {
    constructor(...args: Args) {
      super(frozen, args);
    }
  };
}
