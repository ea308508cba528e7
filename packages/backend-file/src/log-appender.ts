import { openSync, truncateSync } from "node:fs";
import { closeQuietly, datasync, FILE_MODE, writeAllSync } from "./atomic-write.js";
import { fsError } from "./errors.js";

/**
 * The append descriptor of one journal log, kept open across writes (a compaction closes
 * it, and the next write opens the new inode). Used under the journal's lock, caught up,
 * so the path is the inode the journal replayed. A failed write or fsync cuts the log back
 * to where the append started: a partial write (a full disk) would otherwise be a torn
 * tail, or whole records the caller is told failed; this way the log holds only whole,
 * acknowledged records and the next append (once space is freed) starts clean.
 *
 * @example
 * ```ts
 * const appender = new LogAppender("/data/cache/ab/log");
 * appender.write(frame, position);
 * await appender.sync(position);
 * appender.close();
 * ```
 */
export class LogAppender {
  readonly #log: string;
  #fd: number | undefined;

  constructor(log: string) {
    this.#log = log;
  }

  /** Appends `bytes` (page cache, synchronous, like the raw `fs` baseline); `position`: the log's size before. */
  write(bytes: Uint8Array, position: number): void {
    try {
      this.#fd ??= openSync(this.#log, "a", FILE_MODE);
      writeAllSync(this.#fd, bytes);
    } catch (err) {
      this.#cutBack(position);
      throw fsError(err, "appending to", this.#log);
    }
  }

  /** fdatasync of what was written (on the thread pool); `position`: the log's size before the append. */
  async sync(position: number): Promise<void> {
    try {
      if (this.#fd !== undefined) await datasync(this.#fd);
    } catch (err) {
      this.#cutBack(position);
      throw fsError(err, "appending to", this.#log);
    }
  }

  #cutBack(position: number): void {
    try {
      truncateSync(this.#log, position);
    } catch {
      // The next holder's catch-up cuts a torn tail off anyway.
    }
  }

  /** Closes the descriptor (the next write opens the log again). */
  close(): void {
    closeQuietly(this.#fd);
    this.#fd = undefined;
  }
}
