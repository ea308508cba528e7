import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** XORed into a batch frame's complemented length (`@core/backend-file` frames.ts). */
const BATCH_MARK = 0x4241_5443;

/**
 * True when a file-backend log or segment ends inside a frame: the writer was killed in
 * the middle of writing it (the next open cuts it back). Walks the frame headers only
 * (`[u32 length][u32 ~length or ~length ^ BATCH_MARK][u32]`), a batch frame as one step.
 *
 * @example
 * ```ts
 * if (endsMidFrame(join(dir, "log"))) killedMidWrite++;
 * ```
 */
export function endsMidFrame(path: string): boolean {
  if (!existsSync(path)) return false;
  const bytes = readFileSync(path);
  let at = 0;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const check = bytes.readUInt32LE(at + 4);
    if (check !== ~length >>> 0 && check !== (~length ^ BATCH_MARK) >>> 0) return true;
    at += 12 + length;
  }
  return at !== bytes.length;
}

/**
 * The files a file backend in `directory` keeps for store `name`: the records and cache
 * logs and the newest queue segment (names are sha256 digests, as in the package).
 *
 * @example
 * ```ts
 * const { records, queue, cache } = fileLogs("/tmp/data", "round-3");
 * ```
 */
export function fileLogs(directory: string, name: string): { records: string; queue: string; cache: string } {
  const hashed = createHash("sha256").update(name, "utf8").digest("hex");
  const queueDir = join(directory, "queue", hashed);
  const segments = existsSync(queueDir) ? readdirSync(queueDir).filter((f) => f.startsWith("seg-")) : [];
  return {
    records: join(directory, "records", hashed, "log"),
    queue: join(queueDir, segments.sort().at(-1) ?? "none"),
    cache: join(directory, "cache", hashed, "log"),
  };
}
