import { cpus, totalmem } from "node:os";

/**
 * The machine a run was measured on, recorded with every result.
 *
 * @example
 * ```ts
 * machineLine(); // "AMD EPYC …, 2 cores, 24 GiB, Node v20.20.2, linux"
 * ```
 */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}
