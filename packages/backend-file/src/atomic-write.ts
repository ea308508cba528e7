import { randomBytes } from "node:crypto";
import { closeSync, fdatasync, writeSync } from "node:fs";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { fsError } from "./errors.js";

/** Permissions of files this backend creates: owner only. */
export const FILE_MODE = 0o600;
/** Permissions of directories this backend creates: owner only. */
export const DIR_MODE = 0o700;

/** fsyncs a directory so a rename or a new file inside it survives a power loss. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
    if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
  } finally {
    await handle.close();
  }
}

/** Creates a directory (and its parents) with mode 0700; fails with the `fs` error's code (see errors.ts). */
export async function ensureDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: DIR_MODE }).catch((err) => {
    throw fsError(err, "creating", path);
  });
}

/** Creates `path` empty if it is not there, durably (its directory fsynced). */
export async function createFile(path: string): Promise<void> {
  await (await open(path, "a", FILE_MODE)).close();
  await syncDirectory(dirname(path));
}

/**
 * Writes all of `bytes` at the handle's position (the end, for a handle opened with "a").
 * `write()` may write only part of a buffer without failing, typically on a nearly full
 * disk; the rest is retried, so either everything is written or an error (ENOSPC) is
 * thrown. The caller cuts what a failed call left behind.
 */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, null);
    if (bytesWritten <= 0) {
      // No progress and no error: fail rather than spin.
      throw Object.assign(new Error("write() wrote nothing"), { code: "ESHORTWRITE" });
    }
    done += bytesWritten;
  }
}

/**
 * {@link writeAll} on a descriptor, synchronously: for small appends to the page cache,
 * where a thread-pool round trip would cost more than the write itself.
 */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    const written = writeSync(fd, bytes, done, bytes.length - done);
    if (written <= 0) throw Object.assign(new Error("write() wrote nothing"), { code: "ESHORTWRITE" });
    done += written;
  }
}

/**
 * Replaces `path` atomically: writes a temporary file beside it, fsyncs it, renames it
 * over `path` and fsyncs the directory. A crash leaves either the old or the new content,
 * never a mix (at worst a stray `*.tmp-*` file, ignored by readers). With
 * `syncDirectory: false` the rename is durable later (at the file system's next commit):
 * for files whose old content stays valid, so a crash may simply keep it.
 */
export async function atomicWrite(
  path: string,
  data: string | Uint8Array,
  options: { syncDirectory?: boolean } = {},
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const handle = await open(temp, "wx", FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw err;
  }
  await handle.close();
  await rename(temp, path);
  if (options.syncDirectory !== false) await syncDirectory(dirname(path));
}

/** `fdatasync` on the thread pool, as a promise. */
export function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Closes `fd` (if any), ignoring failure: no caller has a write pending on it. */
export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // Reads, or synchronous writes that already completed: nothing can be lost.
  }
}
