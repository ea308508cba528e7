// The explicit-transaction panel: db.begin({ isolationLevel, readOnly }), statements in the
// transaction, then commit() or rollback() — one open transaction per page at a time.
import { $, action, api, renderTable } from "./api.js";

let current = null;

function showState(text) {
  $("sqltx-state").textContent = text;
  $("sqltx-begin").disabled = current !== null;
  for (const id of ["sqltx-run", "sqltx-commit", "sqltx-rollback"]) $(id).disabled = current === null;
}

function end(kind) {
  return action("sqltx", async () => {
    const id = current;
    current = null;
    try {
      const r = await api("POST", `/api/sql/tx/${kind}`, { id });
      showState(`${r.id}: ${r.state}`);
    } catch (err) {
      showState(`${id}: ${kind} failed`);
      throw err;
    }
  });
}

export function setupSqlTransaction() {
  showState("no transaction");
  $("sqltx-begin").addEventListener(
    "click",
    action("sqltx", async () => {
      $("sqltx-results").replaceChildren();
      const r = await api("POST", "/api/sql/tx/begin", {
        isolationLevel: $("sqltx-isolation").value || undefined,
        readOnly: $("sqltx-readonly").checked,
      });
      current = r.id;
      showState(
        `${r.id}: ${r.state} on ${r.dialect}${r.isolationLevel ? `, ${r.isolationLevel}` : ""}${r.readOnly ? ", read only" : ""}`,
      );
    }),
  );
  $("sqltx-run").addEventListener(
    "click",
    action("sqltx", async () => {
      $("sqltx-results").replaceChildren();
      const r = await api("POST", "/api/sql/tx/execute", { id: current, text: $("sqltx-text").value });
      $("sqltx-summary").textContent = `${r.rows.length} row(s), ${r.affectedRows} affected (not committed yet)`;
      renderTable($("sqltx-results"), r.columns, r.rows);
    }),
  );
  $("sqltx-commit").addEventListener("click", end("commit"));
  $("sqltx-rollback").addEventListener("click", end("rollback"));
}
