import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend, BackendProvider } from "@core/protocols";
import { assertPlainObject, describeValue, invalidArgument } from "@core/protocols/kit";
import { ensureDirectory } from "./atomic-write.js";
import { FileBackend, type FileBackendOptions } from "./backend.js";
import { BACKEND } from "./errors.js";

export { FileBackend, type FileBackendOptions } from "./backend.js";
export {
  DAMAGED_RECORD_WARNING,
  type DamagedRecord,
  type DamagedRecordHandler,
  damagedRecordMessage,
} from "./damage.js";
export { lockCounters } from "./lock.js";

const NUMBER_OPTIONS = [
  "sweepIntervalMs",
  "batchSize",
  "flushIntervalMs",
  "maxBuffered",
  "segmentBytes",
  "pollIntervalMs",
  "lockTimeoutMs",
  "staleLockMs",
  "groupLeaseMs",
  "outboxRetention",
] as const;

function checkOptions(options: unknown): FileBackendOptions {
  assertPlainObject(BACKEND, options, "options");
  const o = options as unknown as FileBackendOptions;
  if (typeof o.directory !== "string" || o.directory.length === 0) {
    throw invalidArgument(BACKEND, `directory must be a non-empty path, got ${describeValue(o.directory)}`);
  }
  for (const name of NUMBER_OPTIONS) {
    const value = o[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value <= 0)) {
      throw invalidArgument(BACKEND, `${name} must be a positive number, got ${describeValue(value)}`);
    }
  }
  for (const name of ["fsyncRecords", "exclusive"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") {
      throw invalidArgument(BACKEND, `${name} must be a boolean, got ${describeValue(o[name])}`);
    }
  }
  if (o.onDamagedRecord !== undefined && typeof o.onDamagedRecord !== "function") {
    throw invalidArgument(BACKEND, `onDamagedRecord must be a function, got ${describeValue(o.onDamagedRecord)}`);
  }
  return o;
}

/**
 * Opens (creating if needed, mode 0700) a file backend in `directory`. Several backends —
 * in this process or others — may open the same directory at once, unless one of them is
 * `exclusive` (then the others fail with `LOCKED`).
 *
 * @example
 * ```ts
 * import { openFileBackend } from "@core/backend-file";
 * await using backend = await openFileBackend({ directory: "./data" });
 * await backend.queue("events").put({ type: "signup" });
 * ```
 */
export async function openFileBackend(options: FileBackendOptions): Promise<Backend> {
  const { directory, ...rest } = checkOptions(options);
  const absolute = resolve(directory);
  await ensureDirectory(absolute);
  return new FileBackend(absolute, rest);
}

/**
 * The directory of a `file:` URL: `file:./data` and `file:data` are relative to the
 * working directory, `file:///abs/dir` is absolute.
 *
 * @example
 * ```ts
 * directoryOf("file:./data"); // "./data"
 * ```
 */
export function directoryOf(url: string): string {
  if (!/^file:/i.test(url)) throw invalidArgument(BACKEND, `not a file: URL: ${JSON.stringify(url)}`);
  if (/^file:\/\//i.test(url)) {
    try {
      return fileURLToPath(url);
    } catch (cause) {
      throw invalidArgument(BACKEND, `invalid file URL ${JSON.stringify(url)}: ${(cause as Error).message}`);
    }
  }
  const path = decodeURIComponent(url.slice("file:".length));
  if (path.length === 0) throw invalidArgument(BACKEND, "file: URL needs a directory, e.g. file:./data");
  return path;
}

/**
 * Provider for `openBackend("file:./data")` and `openBackend("file:///abs/dir")`.
 *
 * @example
 * ```ts
 * const backend = await openBackend("file:./data", { flushIntervalMs: 2 });
 * ```
 */
export const provider: BackendProvider = {
  name: BACKEND,
  schemes: ["file"],
  open: (url, options) => openFileBackend({ ...(options ?? {}), directory: directoryOf(url) } as FileBackendOptions),
};
