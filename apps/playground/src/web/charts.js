// The latency chart: one inline SVG, a dot per call and a line per protocol. No library.
const COLORS = { cache: "#2f6fed", queue: "#e07a10", records: "#0e9384", transport: "#a23fbd", sql: "#c0392b" };
const W = 600;
const H = 160;
const PAD = 28;
const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Redraws the chart from `[{ at, protocol, op, ms, ok }]` (oldest first). */
export function renderLatency(container, samples) {
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "latency per call" });
  const max = Math.max(1, ...samples.map((s) => s.ms));
  const x = (i) => PAD + (samples.length <= 1 ? 0 : (i / (samples.length - 1)) * (W - 2 * PAD));
  const y = (ms) => H - PAD + 4 - (ms / max) * (H - PAD - 12);
  for (const frac of [0, 0.5, 1]) {
    root.append(svg("line", { x1: PAD, x2: W - 8, y1: y(max * frac), y2: y(max * frac), stroke: "#e3e6eb" }));
    const label = svg("text", { x: 2, y: y(max * frac) + 4, "font-size": 10, fill: "#667085" });
    label.textContent = (max * frac).toFixed(max * frac < 10 ? 1 : 0);
    root.append(label);
  }
  for (const [protocol, color] of Object.entries(COLORS)) {
    const points = samples.flatMap((s, i) => (s.protocol === protocol ? [[x(i), y(s.ms), s]] : []));
    if (points.length > 1)
      root.append(
        svg("polyline", {
          points: points.map(([px, py]) => `${px},${py}`).join(" "),
          fill: "none",
          stroke: color,
          "stroke-opacity": 0.5,
        }),
      );
    for (const [px, py, s] of points) {
      const dot = svg("circle", { cx: px, cy: py, r: 3, fill: s.ok ? color : "#fff", stroke: color });
      const title = svg("title", {});
      title.textContent = `${s.protocol} ${s.op}: ${s.ms.toFixed(2)} ms${s.ok ? "" : " (failed)"}`;
      dot.append(title);
      root.append(dot);
    }
  }
  const legend = document.createElement("div");
  legend.className = "legend";
  for (const [protocol, color] of Object.entries(COLORS)) {
    const item = document.createElement("span");
    item.style.setProperty("--c", color);
    item.textContent = protocol;
    legend.append(item);
  }
  container.replaceChildren(root, legend);
}
