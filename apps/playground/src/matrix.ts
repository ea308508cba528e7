import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, BackendError, type BackendProvider, openBackend } from "@core/protocols";
import { explain } from "./backends.js";
import { type Output, table } from "./output.js";
import { SMOKES } from "./smoke.js";

/** Outcome of one backend × protocol cell. */
export type CellStatus = "passed" | "failed" | "not applicable" | "unreachable" | "not installed";

/** One row of the matrix. */
export interface MatrixRow {
  backend: string;
  url: string;
  cells: Record<keyof typeof SMOKES, { status: CellStatus; ms: number; error?: string }>;
}

/**
 * The backends `matrix` tries: every built-in, embedded ones in a temp directory and
 * servers from POSTGRES_URL / REDIS_URL (local defaults).
 *
 * @example
 * ```ts
 * const urls = defaultMatrixUrls();
 * ```
 */
export function defaultMatrixUrls(dir = mkdtempSync(join(tmpdir(), "core-matrix-"))): Record<string, string> {
  return {
    memory: "memory:",
    file: `file:${join(dir, "files")}`,
    "sqlite (memory)": "sqlite::memory:",
    "sqlite (file)": `sqlite:${join(dir, "matrix.db")}`,
    postgres: process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test",
    redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  };
}

/**
 * The matrix's rows with those of third-party backends added: one per `--backend-package`
 * provider (at `<scheme>:`, unless a `--url` already uses its scheme) and one per `--url`.
 *
 * @example
 * ```ts
 * const urls = withExtraRows(defaultMatrixUrls(), [{ name: "acme", schemes: ["acme"] }], ["acme:./data"]);
 * // { memory: "memory:", …, "acme:./data": "acme:./data" }
 * ```
 */
export function withExtraRows(
  urls: Record<string, string>,
  providers: readonly Pick<BackendProvider, "name" | "schemes">[],
  extraUrls: readonly string[] = [],
): Record<string, string> {
  const rows = { ...urls };
  const schemeOf = (url: string) => /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const covered = new Set(extraUrls.map(schemeOf));
  for (const provider of providers) {
    const scheme = provider.schemes[0];
    if (scheme !== undefined && !covered.has(scheme.toLowerCase())) rows[provider.name] = `${scheme}:`;
  }
  for (const url of extraUrls) rows[url] = url;
  return rows;
}

const PROTOCOLS = Object.keys(SMOKES) as (keyof typeof SMOKES)[];

function statusOfOpenError(err: unknown): CellStatus {
  if (BackendError.is(err, "NOT_INSTALLED")) return "not installed";
  if (BackendError.is(err, "CONNECTION") || BackendError.is(err, "TIMEOUT")) return "unreachable";
  return "failed";
}

async function runRow(label: string, url: string, run: string): Promise<MatrixRow> {
  const cells = {} as MatrixRow["cells"];
  let backend: Backend | undefined;
  let openError: unknown;
  try {
    backend = await openBackend(url);
  } catch (err) {
    // Same wording as the demo: names the URL and, for a server that is down, how to start it.
    openError = explain(label, url, err);
  }
  for (const protocol of PROTOCOLS) {
    if (!backend) {
      cells[protocol] = {
        status: statusOfOpenError(openError),
        ms: 0,
        error: String((openError as Error)?.message ?? openError),
      };
      continue;
    }
    if (!backend.capabilities[protocol]) {
      cells[protocol] = { status: "not applicable", ms: 0 };
      continue;
    }
    const start = performance.now();
    try {
      await SMOKES[protocol](backend, `matrix-${run}-${protocol}`);
      cells[protocol] = { status: "passed", ms: performance.now() - start };
    } catch (err) {
      cells[protocol] = { status: "failed", ms: performance.now() - start, error: (err as Error).message };
    }
  }
  await backend?.close();
  return { backend: label, url, cells };
}

/**
 * Runs a short smoke of every protocol on every backend and prints a table of
 * passed / failed / not applicable / unreachable / not installed with timings.
 *
 * @example
 * ```ts
 * const rows = await runMatrix(defaultMatrixUrls(), terminalOutput());
 * ```
 */
export async function runMatrix(urls: Record<string, string>, out: Output): Promise<MatrixRow[]> {
  const run = Date.now().toString(36);
  const rows: MatrixRow[] = [];
  const labels = Object.keys(urls);
  for (const [i, label] of labels.entries()) {
    rows.push(await runRow(label, urls[label]!, run));
    out.progress("matrix", i + 1, labels.length);
  }
  const cell = (c: MatrixRow["cells"][keyof typeof SMOKES]) =>
    c.status === "passed" ? `passed ${c.ms.toFixed(0)}ms` : c.status;
  out.line(
    table(
      ["backend", ...PROTOCOLS],
      rows.map((r) => [r.backend, ...PROTOCOLS.map((p) => cell(r.cells[p]))]),
    ),
  );
  for (const r of rows) {
    const errors = new Set(PROTOCOLS.flatMap((p) => (r.cells[p].error ? [`  ${r.backend}: ${r.cells[p].error}`] : [])));
    // An open failure is the same error in every cell: print it once per backend.
    for (const error of errors) out.line(error);
  }
  return rows;
}
