import type { Condition, FilterValue } from "@core/protocols";

type Kind = "s" | "n" | "b" | "d" | "z";

function kind(v: FilterValue): Kind {
  if (typeof v === "string") return "s";
  if (typeof v === "number") return "n";
  if (typeof v === "boolean") return "b";
  if (v instanceof Date) return "d";
  return "z";
}

function operand(v: FilterValue): string | number | boolean | null {
  return v instanceof Date ? v.getTime() : v;
}

// `"key":value` as JSON.stringify wrote it into the stored document: a record whose
// document text lacks every needle cannot hold the equality (records-filter.lua).
function needle(path: readonly string[], v: FilterValue): string | undefined {
  const k = kind(v);
  if (k !== "s" && k !== "n" && k !== "b") return undefined;
  return `${JSON.stringify(path.at(-1))}:${JSON.stringify(v)}`;
}

/**
 * Filter conditions as records-filter.lua reads them (JSON), or "" for none.
 *
 * @example
 * ```ts
 * const json = luaConditions(compileFilter({ "content.tag": "rare" }));
 * ```
 */
export function luaConditions(conditions: readonly Condition[]): string {
  if (conditions.length === 0) return "";
  const out = conditions.map((c) => {
    const { root, path } = c.parsed;
    const inDocument = root === "content" || root === "metadata";
    if (c.op === "in") {
      const list = c.value as readonly FilterValue[];
      const needles = inDocument ? list.map((v) => needle(path, v)).filter((n) => n !== undefined) : undefined;
      return { r: root, p: path, o: c.op, v: list.map((v) => ({ v: operand(v), k: kind(v) })), n: needles };
    }
    if (c.op === "exists" || c.op === "prefix") return { r: root, p: path, o: c.op, v: c.value };
    const v = c.value as FilterValue;
    const n = inDocument && c.op === "eq" ? needle(path, v) : undefined;
    return { r: root, p: path, o: c.op, v: operand(v), k: kind(v), n: n === undefined ? undefined : [n] };
  });
  return JSON.stringify(out);
}
