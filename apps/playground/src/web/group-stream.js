// The group-stream panel: two members of one consumer group share the jobs of a topic —
// each job is handled (and committed) by exactly one of them. It adds its own section
// after the queue panel, so the page's other panels are untouched.
import { $, action, api, el } from "./api.js";

function memberList(name, offsets) {
  return el(
    "div",
    { class: "group-member", id: `group-member-${name}` },
    el("h3", {}, `member ${name} (${offsets.length})`),
    el("ol", { class: "output list" }, ...offsets.map((o) => el("li", {}, `offset ${o}`))),
  );
}

function render(result) {
  $("group-members").replaceChildren(
    ...Object.entries(result.members).map(([name, offsets]) => memberList(name, offsets)),
  );
  $("group-summary").textContent =
    `group "${result.group}" on "${result.topic}": committed ${result.committed}, ` +
    `${Object.values(result.members).reduce((n, list) => n + list.length, 0)} jobs handled once each`;
}

/** Builds the panel and wires its button. */
export function setupGroupStream() {
  const panel = el(
    "section",
    { id: "group-stream", class: "panel" },
    el("h2", {}, "Group stream ", el("span", { class: "hint" }, "two members of one group share the jobs")),
    el(
      "div",
      { class: "row" },
      el("label", {}, "jobs ", el("input", { id: "group-jobs", type: "number", min: "1", max: "1000", value: "10" })),
      el("button", { type: "button", id: "group-run" }, "Put jobs and run both members"),
    ),
    el("div", { class: "error", hidden: "" }),
    el("div", { id: "group-summary", class: "tail-status" }, "no run yet"),
    el("div", { id: "group-members", class: "stats-grid" }),
  );
  const queue = document.getElementById("queue");
  if (queue) queue.after(panel);
  else document.querySelector("main")?.append(panel);
  $("group-run").addEventListener(
    "click",
    action("group-stream", async () => {
      render(await api("POST", "/api/queue/group/run", { jobs: Number($("group-jobs").value) }));
    }),
  );
}

setupGroupStream();
