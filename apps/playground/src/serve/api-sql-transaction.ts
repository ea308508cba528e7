import type { BeginOptions, IsolationLevel, SqlTransaction } from "@core/protocols";
import { invalidArgument } from "@core/protocols/kit";
import { ApiError, stringField } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";

const MAX_OPEN = 4;
const MAX_ROWS = 500;
/** An explicit transaction the page forgot is rolled back after this long without a call. */
export const IDLE_ROLLBACK_MS = 60_000;
const ISOLATION = new Set<IsolationLevel>(["read uncommitted", "read committed", "repeatable read", "serializable"]);
const READS = /^\s*(select|with|values|pragma|show|explain|table)\b/i;

interface OpenTransaction {
  tx: SqlTransaction;
  timer: NodeJS.Timeout;
}

function beginOptions(body: Record<string, unknown>): BeginOptions {
  const options: BeginOptions = {};
  const { isolationLevel, readOnly } = body;
  if (isolationLevel !== undefined && isolationLevel !== null && isolationLevel !== "") {
    if (!ISOLATION.has(isolationLevel as IsolationLevel)) {
      throw invalidArgument("playground", `isolationLevel must be one of ${[...ISOLATION].join(", ")}`);
    }
    options.isolationLevel = isolationLevel as IsolationLevel;
  }
  if (readOnly !== undefined && typeof readOnly !== "boolean") {
    throw invalidArgument("playground", "readOnly must be a boolean");
  }
  if (readOnly) options.readOnly = true;
  return options;
}

/**
 * Explicit SQL transactions across requests (`db.begin()`, then statements, then
 * `commit()` or `rollback()`), on the chosen SQL backend: `POST /api/sql/tx/begin
 * { isolationLevel?, readOnly? }` answers `{ id }`; `/api/sql/tx/execute { id, text }`,
 * `/api/sql/tx/commit { id }` and `/api/sql/tx/rollback { id }` use it. A finished or
 * unknown id is `NOT_FOUND`; at most 4 are open, each rolled back after a minute idle or
 * when the server stops.
 *
 * @example
 * ```ts
 * sqlTransactionRoutes(router, session, shutdown.signal);
 * // POST /api/sql/tx/begin { "isolationLevel": "serializable" } → { "id": "tx-1", "state": "open" }
 * ```
 */
export function sqlTransactionRoutes(router: Router, session: PlaygroundSession, signal: AbortSignal): void {
  const open = new Map<string, OpenTransaction>();
  let next = 0;

  const finish = (id: string) => {
    const entry = open.get(id);
    if (entry !== undefined) clearTimeout(entry.timer);
    open.delete(id);
    return entry;
  };
  const idle = (id: string) =>
    setTimeout(() => {
      void finish(id)
        ?.tx.rollback()
        .catch(() => {});
    }, IDLE_ROLLBACK_MS).unref();
  const take = (body: Record<string, unknown>): [string, SqlTransaction] => {
    const id = stringField(body, "id");
    const entry = open.get(id);
    if (entry === undefined) throw new ApiError("NOT_FOUND", `no open transaction ${JSON.stringify(id)}`);
    clearTimeout(entry.timer);
    entry.timer = idle(id);
    return [id, entry.tx];
  };
  signal.addEventListener("abort", () => {
    for (const id of [...open.keys()])
      void finish(id)
        ?.tx.rollback()
        .catch(() => {});
  });

  router.add("POST", "/api/sql/tx/begin", async (ctx) => {
    const options = beginOptions(await ctx.body());
    if (open.size >= MAX_OPEN) {
      throw new ApiError("CONFLICT", `${MAX_OPEN} transactions are open already: commit or roll one back first`);
    }
    const tx = await session.timed("sql", "begin", (backend) => backend.sql().begin(options));
    const id = `tx-${++next}`;
    open.set(id, { tx, timer: idle(id) });
    return { id, state: tx.state, dialect: tx.dialect.name, ...options };
  });

  router.add("POST", "/api/sql/tx/execute", async (ctx) => {
    const body = await ctx.body();
    const [id, tx] = take(body);
    const text = stringField(body, "text");
    if (text.length > 100_000) throw invalidArgument("playground", "statement is longer than 100 000 characters");
    const result = await session.timed("sql", "tx.execute", async () =>
      READS.test(text) ? { rows: await tx.query({ text }), affectedRows: 0 } : tx.execute({ text }),
    );
    const rows = result.rows.slice(0, MAX_ROWS);
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
    return { id, state: tx.state, columns, rows, affectedRows: result.affectedRows };
  });

  for (const end of ["commit", "rollback"] as const) {
    router.add("POST", `/api/sql/tx/${end}`, async (ctx) => {
      const [id, tx] = take(await ctx.body());
      finish(id);
      await session.timed("sql", `tx.${end}`, () => tx[end]());
      return { id, state: tx.state };
    });
  }
}
