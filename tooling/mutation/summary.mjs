// Prints the counts of reports/mutation.json per file and overall, and lists what
// survived (or had no coverage): `node summary.mjs [--list]`.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(new URL("./reports/mutation.json", import.meta.url), "utf8"));
const statuses = ["Killed", "Timeout", "Survived", "NoCoverage", "Ignored", "CompileError", "RuntimeError"];
const total = Object.fromEntries(statuses.map((s) => [s, 0]));
const survivors = [];
for (const [path, file] of Object.entries(report.files)) {
  const lines = file.source.split("\n");
  const counts = Object.fromEntries(statuses.map((s) => [s, 0]));
  for (const m of file.mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    total[m.status] = (total[m.status] ?? 0) + 1;
    if (m.status === "Survived" || m.status === "NoCoverage") {
      const line = m.location.start.line;
      survivors.push(
        `${path.split("/").pop()}:${line} ${m.mutatorName}${m.status === "NoCoverage" ? " (no coverage)" : ""}: \`${lines[line - 1].trim().slice(0, 90)}\` → \`${(m.replacement ?? "").slice(0, 60)}\``,
      );
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  console.log(
    `${path.split("/").pop().padEnd(28)} ${((100 * detected) / (valid || 1)).toFixed(2).padStart(6)} %  ${JSON.stringify(counts)}`,
  );
}
const detected = total.Killed + total.Timeout;
const valid = detected + total.Survived + total.NoCoverage;
console.log(`${"all".padEnd(28)} ${((100 * detected) / valid).toFixed(2).padStart(6)} %  ${JSON.stringify(total)}`);
if (process.argv.includes("--list")) for (const s of survivors) console.log(`- ${s}`);
