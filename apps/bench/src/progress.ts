/**
 * A one-line progress bar on stderr (a line per step when stderr is not a terminal),
 * with an estimated time left.
 *
 * @example
 * ```ts
 * const progress = new Progress(40);
 * progress.step("sqlite cache get");
 * progress.done();
 * ```
 */
export class Progress {
  #total: number;
  #done = 0;
  readonly #started = performance.now();
  readonly #write: ((text: string) => void) | null;
  readonly #tty: boolean;

  constructor(total: number, options: { silent?: boolean } = {}) {
    this.#total = total;
    this.#tty = Boolean(process.stderr.isTTY);
    this.#write = options.silent ? null : (text) => process.stderr.write(text);
  }

  /** Counts one finished step and redraws. */
  step(label: string): void {
    this.#done = Math.min(this.#total, this.#done + 1);
    if (!this.#write) return;
    const width = 30;
    const filled = Math.round((this.#done / this.#total) * width);
    const elapsed = (performance.now() - this.#started) / 1000;
    const left = this.#done > 0 ? (elapsed / this.#done) * (this.#total - this.#done) : 0;
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.#done}/${this.#total} ${elapsed.toFixed(0)}s (~${left.toFixed(0)}s left) ${label}`;
    this.#write(this.#tty ? `\r\u001b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}` : `${line}\n`);
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.#write && this.#tty) this.#write("\n");
  }
}
