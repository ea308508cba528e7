// The record-store panel: a filter builder (field / operator / value rows) that becomes
// the `where` object of RecordStore.queryPage.
import { $, action, api, el, renderTable } from "./api.js";

const FIELDS = [
  "id",
  "naturalKey",
  "layer",
  "createdAt",
  "updatedAt",
  "content.title",
  "content.source",
  "content.score",
];
const OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "prefix", "exists"];

/** A typed cell value: numbers, true/false/null as such, lists for `in`. */
function typed(op, text) {
  const one = (t) => {
    const s = t.trim();
    if (s === "true" || s === "false") return s === "true";
    if (s === "null") return null;
    if (s !== "" && !Number.isNaN(Number(s))) return Number(s);
    return s;
  };
  if (op === "in") return text.split(",").map(one);
  if (op === "exists") return text.trim() !== "false";
  if (op === "prefix") return text;
  return one(text);
}

/** The `where` object built from the rows (several operators on one field merge). */
export function buildWhere() {
  const where = {};
  for (const row of document.querySelectorAll("#filter-rows .filter-row")) {
    const field = row.querySelector(".f-field").value.trim();
    const op = row.querySelector(".f-op").value;
    if (!field) continue;
    where[field] = { ...(where[field] ?? {}), [op]: typed(op, row.querySelector(".f-value").value) };
  }
  return where;
}

function showWhere() {
  $("records-where").textContent = `where: ${JSON.stringify(buildWhere())}`;
}

export function addFilterRow(field = "content.score", op = "gte", value = "3") {
  const row = el(
    "div",
    { class: "filter-row" },
    el("input", { class: "f-field", list: "filter-fields", value: field, "aria-label": "field", oninput: showWhere }),
    el(
      "select",
      { class: "f-op", "aria-label": "operator", onchange: showWhere },
      ...OPERATORS.map((o) => el("option", {}, o)),
    ),
    el("input", { class: "f-value", value, "aria-label": "value", oninput: showWhere }),
    el(
      "button",
      {
        type: "button",
        class: "secondary",
        title: "remove",
        onclick: () => {
          row.remove();
          showWhere();
        },
      },
      "×",
    ),
  );
  row.querySelector(".f-op").value = op;
  $("filter-rows").append(row);
  showWhere();
}

export function setupRecords() {
  document.body.append(el("datalist", { id: "filter-fields" }, ...FIELDS.map((f) => el("option", { value: f }))));
  addFilterRow();
  $("filter-add").addEventListener("click", () => addFilterRow("", "eq", ""));
  $("records-seed").addEventListener(
    "click",
    action("records", async () => {
      const r = await api("POST", "/api/records/seed", { count: 25 });
      $("records-summary").textContent = `seeded: ${r.inserted} inserted, ${r.updated} updated`;
    }),
  );
  $("records-query").addEventListener(
    "click",
    action("records", async () => {
      const page = await api("POST", "/api/records/query", {
        where: buildWhere(),
        layer: $("records-layer").value || undefined,
        orderBy: $("records-order").value.trim() || undefined,
        limit: Number($("records-limit").value) || 20,
      });
      $("records-summary").textContent =
        `${page.records.length} shown of ${page.total} matching${page.next ? " (more pages)" : ""}`;
      renderTable($("records-results"), ["id", "layer", "title", "score", "source", "version"], page.records, (r, c) =>
        c === "id" || c === "layer" || c === "version" ? r[c] : r.content[c],
      );
    }),
  );
}
