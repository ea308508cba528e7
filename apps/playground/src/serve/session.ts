import type { Backend } from "@core/protocols";
import { type BackendChoice, BackendPool } from "../backends.js";

/** The five protocols a page picks a backend for. */
export type Protocol = keyof BackendChoice;

/** The protocols, in the order the page shows them. */
export const PROTOCOLS: readonly Protocol[] = ["cache", "queue", "records", "transport", "sql"];

/** One timed backend call, for the latency chart. */
export interface LatencySample {
  at: number;
  protocol: Protocol;
  op: string;
  ms: number;
  ok: boolean;
}

const MAX_SAMPLES = 200;

/**
 * The backends the page has chosen, one URL per protocol. Each distinct URL is opened
 * once (a pool shared by the protocols that picked it) and closed when no protocol uses
 * it any more; every call through {@link timed} lands in the latency history.
 *
 * @example
 * ```ts
 * const session = new PlaygroundSession(embeddedDefaults());
 * const cache = (await session.backend("cache")).cache("playground");
 * ```
 */
export class PlaygroundSession {
  readonly #choice: BackendChoice;
  readonly #pools = new Map<string, BackendPool>();
  readonly #samples: LatencySample[] = [];
  /** Bumped on every switch so long-lived streams know their backend went away. */
  #generation = 0;

  constructor(initial: BackendChoice) {
    this.#choice = { ...initial };
  }

  choice(): BackendChoice {
    return { ...this.#choice };
  }

  get generation(): number {
    return this.#generation;
  }

  /** The open backend for a protocol (opened on first use). */
  backend(protocol: Protocol): Promise<Backend> {
    const url = this.#choice[protocol];
    let pool = this.#pools.get(url);
    if (!pool) {
      pool = new BackendPool();
      this.#pools.set(url, pool);
    }
    return pool.open(`${protocol} backend`, url).catch((err: unknown) => {
      // A failed open must not stick: the next try (after starting the server) reopens.
      if (this.#pools.get(url) === pool) this.#pools.delete(url);
      throw err;
    });
  }

  /**
   * Points a protocol at another URL. The new backend is opened first, so a bad URL
   * leaves the previous choice in place and the error names what to do.
   */
  async choose(protocol: Protocol, url: string): Promise<Backend> {
    const probe = new BackendPool();
    const backend = await probe.open(`${protocol} backend`, url);
    const previous = this.#choice[protocol];
    if (this.#pools.has(url)) await probe.closeAll();
    else this.#pools.set(url, probe);
    this.#choice[protocol] = url;
    this.#generation++;
    if (previous !== url && !Object.values(this.#choice).includes(previous)) {
      const old = this.#pools.get(previous);
      this.#pools.delete(previous);
      await old?.closeAll();
    }
    return this.#pools.get(url) === probe ? backend : this.backend(protocol);
  }

  /** Runs a backend call for a protocol and records how long it took. */
  async timed<T>(protocol: Protocol, op: string, fn: (backend: Backend) => Promise<T>): Promise<T> {
    const backend = await this.backend(protocol);
    const start = performance.now();
    let ok = false;
    try {
      const result = await fn(backend);
      ok = true;
      return result;
    } finally {
      this.#samples.push({ at: Date.now(), protocol, op, ms: performance.now() - start, ok });
      if (this.#samples.length > MAX_SAMPLES) this.#samples.splice(0, this.#samples.length - MAX_SAMPLES);
    }
  }

  samples(): readonly LatencySample[] {
    return this.#samples;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.closeAll()));
  }
}
