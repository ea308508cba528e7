import type { SqlDialect } from "./sql-dialect.js";

// A dialect that names each primitive it is asked for: the compiler's decisions become visible.
export const named: SqlDialect = {
  true: "T",
  false: "F",
  column: (name) => name,
  columnCompare: (p, f, op, v) => `${f.root} ${op} ${p.add(v)}`,
  columnIn: (p, f, vs) => `${f.root} IN ${p.add(vs)}`,
  columnPrefix: (p, f, prefix) => `${f.root} PREFIX ${p.add(prefix)}`,
  jsonPresent: (_p, f) => `present(${f.root}.${f.path.join(".")})`,
  jsonAbsent: (_p, f) => `absent(${f.root}.${f.path.join(".")})`,
  jsonCompare: (p, f, op, v, kind) => `${kind}(${f.root}.${f.path.join(".")}) ${op} ${p.add(v)}`,
  jsonIn: (p, f, vs) => `${f.root}.${f.path.join(".")} IN ${p.add(vs)}`,
  jsonPrefix: (p, f, prefix) => `${f.root}.${f.path.join(".")} PREFIX ${p.add(prefix)}`,
};
