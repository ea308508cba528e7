import type { Backend } from "@core/protocols";

/**
 * How a suite reaches the backend under test.
 *
 * @example
 * ```ts
 * describeCacheConformance({ name: "sqlite file", open: () => openSqliteBackend({ path }) });
 * ```
 */
export interface ConformanceOptions {
  /** Label of the `describe` block. */
  name: string;
  /**
   * Opens a client. For backends whose capabilities say `persistent` or `crossProcess`,
   * every call must open a new client of the **same** storage (same file, database,
   * server): suites use a second client to test atomicity across clients, wake-ups from
   * other clients and data surviving a reopen. Otherwise each call may be independent.
   */
  open: () => Promise<Backend>;
  /** Multiplies timing waits (TTL expiry, wake-up deadlines) for slow backends. Default 1. */
  timeScale?: number;
  /** fast-check runs per property. Default 25. */
  numRuns?: number;
  /**
   * Cache suite, `onError: "miss"`: opens a client (with a short command timeout) whose
   * server can be made to stop answering — e.g. through a proxy the test pauses. `cut()`
   * starts the outage, `restore()` ends it. Backends with no server to lose leave it out;
   * the fail-open tests that need no outage still run.
   */
  outage?: () => Promise<{ backend: Backend; cut(): void; restore(): void }>;
  /**
   * SQL suite: a backend opened with connection options, and the settings they must give
   * every connection it uses (`current_setting(name)` on postgres, `PRAGMA name` on
   * sqlite), e.g. `{ application_name: "app", statement_timeout: "1500ms" }`.
   */
  sqlConnection?: {
    open: () => Promise<Backend>;
    settings: Readonly<Record<string, string | number>>;
  };
}

/**
 * Per-test timeout of every suite. Generous on purpose: property runs and cross-client
 * tests are slow on a loaded machine (a CI runner running many packages at once), and a
 * timeout there would be noise, not a finding. Timing is never asserted.
 */
export const SUITE_TEST_TIMEOUT_MS = 60_000;
