import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSqlConformance } from "@core/conformance";
import { afterAll } from "vitest";
import { openSqliteBackend } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "core-sqlite-sql-"));
const path = join(dir, "sql.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSqlConformance({ name: "sqlite :memory:", open: () => openSqliteBackend({ path: ":memory:" }) });
describeSqlConformance({ name: "sqlite file", open: () => openSqliteBackend({ path }) });
