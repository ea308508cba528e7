import type { Backend } from "@core/protocols";

// The types of a target, apart from how targets are made (targets.ts): raw-snapshot.ts reads
// a Target, and importing it from targets.ts made the two files an import cycle.

/** The backends every harness runs against. */
export const BACKENDS = ["memory", "sqlite", "file", "postgres", "redis"] as const;
/** One of {@link BACKENDS}. */
export type BackendName = (typeof BACKENDS)[number];
/** Backends whose data is shared by processes: load and fault tests run on these. */
export const PERSISTENT: readonly BackendName[] = ["sqlite", "file", "postgres", "redis"];

/** Options a child process passes to the package's opener (JSON). */
export type OpenerSpec = { opener: string; options: Record<string, unknown> };

/**
 * One isolated storage of one backend (a temp file or directory, a fresh postgres schema,
 * a fresh redis prefix). `open()` returns a new client of that same storage each time.
 *
 * @example
 * ```ts
 * const target = await createTarget("sqlite");
 * const backend = await target.open();
 * ```
 */
export interface Target {
  readonly name: BackendName;
  /** A new client of this storage. */
  open(): Promise<Backend>;
  /** How a child process opens the same storage: `import(entry)[opener](options)`. */
  readonly spec: OpenerSpec;
  /** Where the data lives (file or directory), for sqlite and file. */
  readonly path?: string;
  /** Every stored byte outside the protocol API (tables, files, keys), canonically ordered. */
  raw(): Promise<unknown>;
  /** Removes the storage. */
  dispose(): Promise<void>;
}
