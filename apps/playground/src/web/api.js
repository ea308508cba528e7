// Small helpers shared by the page's panels: JSON calls, error display, DOM building.

/** Calls the JSON API; rejects with { code, message } taken from the error body. */
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({ error: { code: "INTERNAL", message: `HTTP ${res.status}` } }));
  if (!res.ok) throw Object.assign(new Error(data.error?.message ?? `HTTP ${res.status}`), data.error ?? {});
  return data;
}

/** The `.error` box of a panel. */
export function errorBox(panel) {
  return document.querySelector(`#${panel} .error`);
}

/** Shows an API error (code + message) in a panel's error box, or hides it. */
export function showError(panel, err) {
  const box = errorBox(panel);
  if (!err) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  box.replaceChildren(el("span", { class: "code" }, err.code ?? "ERROR"), String(err.message ?? err));
}

/** Runs a panel action: clears the panel's error first, shows any failure. */
export function action(panel, fn) {
  return async () => {
    showError(panel, null);
    try {
      await fn();
    } catch (err) {
      showError(panel, err);
    }
  };
}

/** Text typed by the user: JSON when it parses, a plain string otherwise. */
export function parseValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Creates an element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

/** Renders rows of objects as a table. */
export function renderTable(target, columns, rows, cell = (row, col) => row[col]) {
  const text = (v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  target.replaceChildren(
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", {}, c)))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...columns.map((c) => el("td", {}, text(cell(r, c))))))),
    ),
  );
}

/** Adds a line to a live list, keeping the newest `max`. */
export function appendLine(list, offset, text, max = 200) {
  list.append(el("li", {}, el("span", { class: "off" }, String(offset)), text));
  while (list.children.length > max) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

export const $ = (id) => document.getElementById(id);
