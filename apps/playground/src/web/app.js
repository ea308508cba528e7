// The playground page: backend pickers, one panel per protocol, live tails and stats.
import { $, action, api, appendLine, el, parseValue, renderTable, showError } from "./api.js";
import { renderLatency } from "./charts.js";
import { setupPromote } from "./promote.js";
import { setupRecords } from "./records.js";
import { setupSqlTransaction } from "./sql-transaction.js";

const streams = {};

/** (Re)opens a server-sent-event stream, closing the previous one of the same name. */
function stream(name, url, handlers, status) {
  streams[name]?.close();
  const source = new EventSource(url);
  streams[name] = source;
  source.onopen = () => {
    status.textContent = `${name}: live`;
  };
  source.onerror = () => {
    // EventSource retries by itself while open; once closed nothing will come back.
    status.textContent = source.readyState === EventSource.CLOSED ? `${name}: closed` : `${name}: reconnecting…`;
  };
  // The chosen backend lacks the protocol: the server says so once; retrying would not help.
  source.addEventListener("unsupported", (e) => {
    const { protocol, backend } = JSON.parse(e.data);
    source.close();
    status.textContent = `${name}: ${protocol} not supported by ${backend}`;
  });
  for (const [event, fn] of Object.entries(handlers)) source.addEventListener(event, (e) => fn(JSON.parse(e.data)));
  return source;
}

function openQueueTail() {
  $("queue-tail").replaceChildren();
  stream(
    "tail",
    "/api/queue/tail",
    {
      entry: (e) => appendLine($("queue-tail"), e.offset, JSON.stringify(e.value)),
      failure: (err) => showError("queue", err),
    },
    $("queue-tail-status"),
  );
}

function subscribe() {
  const channel = $("transport-channel").value.trim();
  $("transport-messages").replaceChildren();
  stream(
    "subscriber",
    `/api/transport/subscribe?channel=${encodeURIComponent(channel)}`,
    {
      subscribed: (s) => {
        $("transport-status").textContent = `subscribed to "${s.channel}" on ${s.backend}`;
      },
      message: (m) => appendLine($("transport-messages"), m.channel, JSON.stringify(m.payload)),
    },
    $("transport-status"),
  );
}

/** A protocol's status line: the backend and whether it has the protocol, or why it failed. */
function showStatus(status, protocol, r) {
  if (r.error) {
    status.className = "status bad";
    status.textContent = `${r.error.code}: ${r.error.message}`;
    return;
  }
  status.className = r.supported ? "status ok" : "status bad";
  status.textContent = r.supported ? `✓ ${r.backend}` : `${r.backend}: ${protocol} not supported`;
}

/** Built-in schemes, and those of third-party packages loaded with --backend-package. */
function showSchemes(schemes, packages) {
  const thirdParty = packages.map((p) => `${p.name} (${p.schemes.map((s) => `${s}:`).join(", ")})`);
  $("backend-schemes").textContent =
    `schemes: ${schemes.map((s) => `${s}:`).join(" ")}` +
    (thirdParty.length > 0 ? ` · third-party: ${thirdParty.join(", ")}` : " · no third-party packages loaded");
}

async function setupBackends() {
  const { choice, protocols, suggestions, status: initial, schemes, packages } = await api("GET", "/api/backends");
  $("backend-suggestions").replaceChildren(...suggestions.map((s) => el("option", { value: s })));
  showSchemes(schemes, packages);
  for (const protocol of protocols) {
    const input = el("input", {
      id: `backend-url-${protocol}`,
      list: "backend-suggestions",
      value: choice[protocol],
      "aria-label": `${protocol} backend URL`,
    });
    const status = el("span", { id: `backend-status-${protocol}`, class: "status" });
    if (initial[protocol]) showStatus(status, protocol, initial[protocol]);
    const use = async () => {
      status.className = "status";
      status.textContent = "opening…";
      try {
        const r = await api("POST", "/api/backends", { protocol, url: input.value });
        showStatus(status, protocol, r);
        if (protocol === "queue") openQueueTail();
        if (protocol === "transport" && streams.subscriber) subscribe();
      } catch (err) {
        status.className = "status bad";
        status.textContent = `${err.code}: ${err.message}`;
      }
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") use();
    });
    $("backend-rows").append(
      el(
        "div",
        { class: "backend-row" },
        el("span", { class: "name" }, protocol),
        input,
        el("button", { type: "button", id: `backend-use-${protocol}`, onclick: use }, "Use"),
        status,
      ),
    );
  }
}

function setupCache() {
  const out = $("cache-output");
  const key = () => $("cache-key").value;
  const show = (v) => {
    out.textContent = JSON.stringify(v, null, 2);
  };
  $("cache-set").addEventListener(
    "click",
    action("cache", async () => {
      const ttl = $("cache-ttl").value;
      show(
        await api("POST", "/api/cache/set", {
          key: key(),
          value: parseValue($("cache-value").value),
          ttlMs: ttl === "" ? undefined : Number(ttl),
        }),
      );
    }),
  );
  $("cache-get").addEventListener(
    "click",
    action("cache", async () => show(await api("GET", `/api/cache/get?key=${encodeURIComponent(key())}`))),
  );
  $("cache-ttl-btn").addEventListener(
    "click",
    action("cache", async () => show(await api("GET", `/api/cache/ttl?key=${encodeURIComponent(key())}`))),
  );
  $("cache-keys").addEventListener(
    "click",
    action("cache", async () => show(await api("GET", "/api/cache/keys"))),
  );
  $("cache-delete").addEventListener(
    "click",
    action("cache", async () => show(await api("POST", "/api/cache/delete", { key: key() }))),
  );
}

function setupQueue() {
  $("queue-put").addEventListener(
    "click",
    action("queue", async () => {
      await api("POST", "/api/queue/put", { value: parseValue($("queue-value").value) });
    }),
  );
  openQueueTail();
}

function setupTransport() {
  $("transport-subscribe").addEventListener("click", subscribe);
  $("transport-publish").addEventListener(
    "click",
    action("transport", async () => {
      const receipt = await api("POST", "/api/transport/publish", {
        channel: $("transport-channel").value.trim(),
        payload: parseValue($("transport-payload").value),
      });
      $("transport-receipt").textContent = receipt.transports
        .map((t) => `${t.backend}: ${t.status} after ${t.attempts} attempt(s)`)
        .join("\n");
    }),
  );
}

function setupSql() {
  $("sql-run").addEventListener(
    "click",
    action("sql", async () => {
      // A failed statement must not leave the previous result looking like its answer.
      $("sql-results").replaceChildren();
      $("sql-summary").textContent = "";
      const r = await api("POST", "/api/sql", { text: $("sql-text").value });
      $("sql-summary").textContent =
        `${r.dialect}: ${r.rowCount} row(s), ${r.affectedRows} affected${r.truncated ? " (first 500 shown)" : ""}`;
      renderTable($("sql-results"), r.columns, r.rows);
    }),
  );
}

function definitions(target, result) {
  if (!result.ok) {
    target.replaceChildren(el("dt", {}, "error"), el("dd", {}, result.error));
    return;
  }
  target.replaceChildren(
    ...Object.entries(result.value).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))]),
  );
}

async function refreshStats() {
  try {
    const s = await api("GET", "/api/stats");
    definitions($("stats-cache"), s.cache);
    definitions($("stats-queue"), s.queue);
    renderLatency($("latency-chart"), s.latency);
  } catch {
    // The next tick tries again; a stopped server shows up in the panels' own calls.
  }
}

async function main() {
  try {
    await setupBackends();
  } catch (err) {
    const box = $("global-error");
    box.hidden = false;
    box.textContent = `${err.code ?? "ERROR"}: ${err.message}`;
  }
  setupCache();
  setupQueue();
  setupRecords();
  setupTransport();
  setupSql();
  setupPromote();
  setupSqlTransaction();
  await refreshStats();
  setInterval(refreshStats, 1000);
  document.body.dataset.ready = "true";
}

main();
