import type { BackendName, TargetOptions } from "./targets.js";

/**
 * A way of opening ours that is reported beside the default one, as rows of its own (not
 * folded into a "fastest setting"): the file backend is measured shared (the default,
 * every write under a cross-process lock) and `exclusive: true` (the directory held by one
 * backend, no lock round trip), the like-for-like comparison with a raw baseline that has
 * no cross-process lock.
 */
export interface Mode {
  /** Appended to the operation's name in the report ("" for the default mode). */
  suffix: string;
  options: TargetOptions;
  /** The operations measured in this mode (`protocol operation`); all when absent. */
  operations?: readonly string[];
}

/** The single-call operations measured again in the file backend's exclusive mode. */
export const EXCLUSIVE_OPERATIONS = [
  "cache get (hit)",
  "cache set",
  "cache set (new key)",
  "records get",
  "records store (upsert)",
] as const;

/**
 * The modes of one backend, the default first.
 *
 * @example
 * ```ts
 * modes("file").map((m) => m.suffix); // ["", " (exclusive)"]
 * ```
 */
export function modes(name: BackendName): Mode[] {
  const shared: Mode = { suffix: "", options: {} };
  if (name !== "file") return [shared];
  return [shared, { suffix: " (exclusive)", options: { exclusive: true }, operations: EXCLUSIVE_OPERATIONS }];
}

/**
 * Whether `mode` measures `operation` (`protocol operation`, e.g. "cache set").
 *
 * @example
 * ```ts
 * measures(modes("file")[1]!, "queue put"); // false
 * ```
 */
export function measures(mode: Mode, operation: string): boolean {
  return mode.operations === undefined || mode.operations.includes(operation);
}

/**
 * A section over every mode of a backend, from the function that runs it in one mode: the
 * modes run in turn (the default first) and their rows are concatenated.
 *
 * @example
 * ```ts
 * export const runPairs = everyMode(runMode); // runMode(name, mode, profile, …)
 * ```
 */
export function everyMode<A extends unknown[], T>(
  runMode: (name: BackendName, mode: Mode, ...args: A) => Promise<T[]>,
): (name: BackendName, ...args: A) => Promise<T[]> {
  return async (name, ...args) => {
    const out: T[] = [];
    for (const mode of modes(name)) out.push(...(await runMode(name, mode, ...args)));
    return out;
  };
}
