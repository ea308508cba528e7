const COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A horizontal bar chart of ratios (ours/raw) with a reference line at 1.0.
 *
 * @example
 * ```ts
 * writeFileSync("ratio.svg", ratioChart("sqlite: ours / raw", [["cache get", 0.93]]));
 * ```
 */
export function ratioChart(
  title: string,
  bars: readonly (readonly [string, number])[],
  reference = "1.0 = raw driver",
): string {
  // Long labels (peer names) widen the label column instead of running off the left edge.
  const left = Math.max(200, ...bars.map(([label]) => Math.ceil(label.length * 6.5) + 12));
  const width = left + 440;
  const row = 20;
  const top = 36;
  const height = top + bars.length * row + 30;
  const max = Math.max(1.2, ...bars.map(([, v]) => v)) * 1.05;
  const x = (v: number) => left + (v / max) * (width - left - 60);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  bars.forEach(([label, value], i) => {
    const y = top + i * row;
    const color = value >= 0.9 ? COLORS[4] : value >= 0.5 ? COLORS[5] : COLORS[2];
    parts.push(
      `<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(value) - left).toFixed(1)}" height="${row - 5}" fill="${color}"/>`,
      `<text x="${(x(value) + 4).toFixed(1)}" y="${y + 13}">${value.toFixed(2)}×</text>`,
    );
  });
  const one = x(1);
  parts.push(
    `<line x1="${one}" y1="${top - 4}" x2="${one}" y2="${height - 24}" stroke="#333" stroke-dasharray="4 3"/>`,
    `<text x="${one}" y="${height - 10}" text-anchor="middle">${esc(reference)}</text>`,
    "</svg>",
  );
  return parts.join("\n");
}

/**
 * A line chart with a logarithmic x axis (stored items) and a logarithmic y axis
 * (latency), one line per series.
 *
 * @example
 * ```ts
 * lineChart("cache get p50", "µs", [{ name: "sqlite", points: [[1000, 4], [100000, 5]] }]);
 * ```
 */
export function lineChart(
  title: string,
  unit: string,
  series: readonly { name: string; points: readonly (readonly [number, number])[] }[],
): string {
  // The legend sits right of the plot: long names widen it, many series make it taller.
  const r = Math.max(130, ...series.map((s) => Math.ceil(s.name.length * 6.5) + 40));
  const width = 510 + r;
  const height = Math.max(360, 36 + series.length * 18 + 20);
  const [l, t, b] = [70, 36, 40];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const [x0, x1] = [Math.log10(Math.min(...xs, 100)), Math.log10(Math.max(...xs, 1000))];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys, 1))), Math.ceil(Math.log10(Math.max(...ys, 10)))];
  const px = (v: number) => l + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * (width - l - r);
  const py = (v: number) => height - b - ((Math.log10(Math.max(v, 10 ** y0)) - y0) / (y1 - y0 || 1)) * (height - t - b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    parts.push(
      `<line x1="${l}" y1="${y}" x2="${width - r}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${l - 6}" y="${y + 4}" text-anchor="end">${10 ** e} ${esc(unit)}</text>`,
    );
  }
  for (const v of [...new Set(xs)].sort((a, c) => a - c)) {
    parts.push(`<text x="${px(v)}" y="${height - b + 16}" text-anchor="middle">${v.toLocaleString("en-US")}</text>`);
  }
  parts.push(`<text x="${(l + width - r) / 2}" y="${height - 6}" text-anchor="middle">items stored</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    // Past the palette, lines repeat a colour with a dash pattern so each stays distinguishable.
    const dash = ["", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 2"'][Math.floor(i / COLORS.length) % 3];
    const path = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points)
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(
      `<line x1="${width - r + 6}" y1="${t + i * 18 + 6}" x2="${width - r + 24}" y2="${t + i * 18 + 6}" stroke="${color}" stroke-width="3"${dash}/>`,
      `<text x="${width - r + 28}" y="${t + i * 18 + 10}">${esc(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
