import { truncate } from "node:fs/promises";
import { BACKEND } from "./errors.js";
import type { ScanResult } from "./frames.js";

/**
 * The `code` of the process warning the default `onDamagedRecord` handler emits (Node prints
 * it; `process.on("warning", …)` sees it).
 *
 * @example
 * ```ts
 * import { DAMAGED_RECORD_WARNING } from "@core/backend-file";
 * process.on("warning", (w) => {
 *   if ((w as { code?: string }).code === DAMAGED_RECORD_WARNING) console.error(w.message);
 * });
 * ```
 */
export const DAMAGED_RECORD_WARNING = "CORE_FILE_DAMAGED_RECORD";

/**
 * A record (or batch) found complete by its length header but failing its checksum at the
 * end of a log: damaged after it was written (bit rot, an outside edit), or — after a power
 * loss, not a process crash — a write the file system sized but never filled. It cannot be
 * read, so it is dropped (cut by the lock holder) and reported once per process and place.
 */
export interface DamagedRecord {
  /** The store, e.g. `records feed`, `queue events seg-0000000000000000.log`, `cache hits`. */
  store: string;
  /** The file holding it. */
  file: string;
  /** Its byte position in the file. */
  position: number;
  /** Bytes from there to the end of the file (what is dropped). */
  bytes: number;
}

/** Receives {@link DamagedRecord} reports (the `onDamagedRecord` backend option). */
export type DamagedRecordHandler = (report: DamagedRecord) => void;

/**
 * The message of a {@link DamagedRecord} report.
 *
 * @example
 * ```ts
 * damagedRecordMessage({ store: "records feed", file: "/d/log", position: 120, bytes: 40 });
 * ```
 */
export function damagedRecordMessage(report: DamagedRecord): string {
  return (
    `[${BACKEND}] ${report.store}: the last record of ${report.file} (byte ${report.position}, ` +
    `${report.bytes} bytes) is complete but fails its checksum: it was damaged after it was written ` +
    "(or a power loss left it unfilled). It is dropped; restore it from a backup if it mattered."
  );
}

/**
 * The default {@link DamagedRecordHandler}: a process warning with code
 * {@link DAMAGED_RECORD_WARNING} (`process.on("warning", …)` sees it; Node prints it).
 *
 * @example
 * ```ts
 * process.on("warning", (w) => { if ((w as { code?: string }).code === DAMAGED_RECORD_WARNING) alert(w.message); });
 * ```
 */
export function warnDamagedRecord(report: DamagedRecord): void {
  process.emitWarning(damagedRecordMessage(report), { type: "DamagedRecordWarning", code: DAMAGED_RECORD_WARNING });
}

/**
 * Counts and reports the damaged tails one log finds, each place once (a reader without
 * the lock finds it again on every catch-up until the lock holder cuts it).
 *
 * @example
 * ```ts
 * const damage = new DamageReports(shared.onDamage);
 * damage.report({ store: "cache hits", file, position: 120, bytes: 40 });
 * damage.count; // 1
 * ```
 */
export class DamageReports {
  /** Damaged tails reported so far. */
  count = 0;
  readonly #handler: DamagedRecordHandler;
  #last = "";

  constructor(handler: DamagedRecordHandler | undefined) {
    this.#handler = handler ?? warnDamagedRecord;
  }

  report(report: DamagedRecord): void {
    const key = `${report.file}:${report.position}:${report.bytes}`;
    if (key === this.#last) return;
    this.#last = key;
    this.count++;
    this.#handler(report);
  }

  /**
   * After a scan of `file` (`size` bytes long): reports a damaged tail and, with `locked`,
   * cuts a torn or damaged one. Returns the bytes cut. Only the lock holder may cut:
   * without the lock a "torn" tail may be a write in progress.
   */
  async settleTail(scan: ScanResult, file: string, store: string, size: number, locked: boolean): Promise<number> {
    if (scan.tail === "damaged") this.report({ store, file, position: scan.end, bytes: size - scan.end });
    if (!locked || scan.tail === "clean") return 0;
    await truncate(file, scan.end);
    return size - scan.end;
  }
}
