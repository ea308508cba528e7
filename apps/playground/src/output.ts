/** Where the playground writes; tests pass a collector instead of stdout. */
export interface Output {
  line(text?: string): void;
  /** Redraws a progress bar in place on a TTY; prints only the final state otherwise. */
  progress(label: string, done: number, total: number): void;
}

const BAR_WIDTH = 24;

/**
 * Output to the terminal: progress bars redraw in place on a TTY.
 *
 * @example
 * ```ts
 * const out = terminalOutput();
 * out.progress("ingest", 10, 100);
 * ```
 */
export function terminalOutput(stream: NodeJS.WriteStream = process.stdout): Output {
  const tty = Boolean(stream.isTTY);
  return {
    line(text = "") {
      stream.write(`${text}\n`);
    },
    progress(label, done, total) {
      if (!tty && done < total) return;
      const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
      const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
      stream.write(`${tty ? "\r" : ""}  ${label.padEnd(18)} ${bar} ${done}/${total}${done >= total ? "\n" : ""}`);
    },
  };
}

/**
 * Output collected in memory (for tests).
 *
 * @example
 * ```ts
 * const out = memoryOutput(); out.line("x"); out.text(); // "x\n"
 * ```
 */
export function memoryOutput(): Output & { text(): string } {
  const lines: string[] = [];
  return {
    line(text = "") {
      lines.push(text);
    },
    progress(label, done, total) {
      if (done >= total) lines.push(`  ${label} ${done}/${total}`);
    },
    text: () => `${lines.join("\n")}\n`,
  };
}

/**
 * Renders rows as an aligned text table.
 *
 * @example
 * ```ts
 * table(["step", "ms"], [["ingest", "12"]]);
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const render = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [render(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(render)].join("\n");
}
