/**
 * Runs a named step and records how long it took.
 *
 * @example
 * ```ts
 * const steps = new StepTimer();
 * await steps.run("ingest", () => ingest());
 * steps.rows(); // [["ingest", "12.3"]]
 * ```
 */
export class StepTimer {
  readonly #steps: { name: string; ms: number; detail: string }[] = [];

  async run<T>(name: string, fn: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    const start = performance.now();
    const result = await fn();
    this.#steps.push({ name, ms: performance.now() - start, detail: detail ? detail(result) : "" });
    return result;
  }

  rows(): string[][] {
    return this.#steps.map((s) => [s.name, s.ms.toFixed(1), s.detail]);
  }
}
