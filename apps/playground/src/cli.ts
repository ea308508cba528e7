#!/usr/bin/env node
import { parseArgs } from "node:util";
import { BackendError, loadProvider, registerBackend } from "@core/protocols";
import { runDemo } from "./demo.js";
import { defaultMatrixUrls, runMatrix } from "./matrix.js";
import { terminalOutput } from "./output.js";

const USAGE = `usage: playground [demo|matrix] [options]

  demo (default)   feed pipeline over all five protocols
    --cache URL        lower cache tier (upper tier is always memory:)
    --queue URL        where feed items arrive
    --records URL      record store (sightings, layers)
    --transport URL    publisher transport (fanned out with a custom audit: backend)
    --sql URL          SQL report (sqlite or postgres)
    --items N          feed items (default 500)
  matrix           smoke every protocol on every built-in backend
  --backend-package NAME   load and register a third-party backend package first
Defaults are embedded (memory, sqlite in a temp dir): no server needed.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cache: { type: "string" },
      queue: { type: "string" },
      records: { type: "string" },
      transport: { type: "string" },
      sql: { type: "string" },
      items: { type: "string" },
      "backend-package": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  for (const name of values["backend-package"] ?? []) registerBackend(await loadProvider(name));
  const out = terminalOutput();
  const command = positionals[0] ?? "demo";
  if (command === "demo") {
    const items = values.items === undefined ? undefined : Number(values.items);
    if (items !== undefined && (!Number.isSafeInteger(items) || items <= 0))
      throw new Error("--items must be a positive integer");
    await runDemo(
      {
        cache: values.cache,
        queue: values.queue,
        records: values.records,
        transport: values.transport,
        sql: values.sql,
        items,
      },
      out,
    );
    return 0;
  }
  if (command === "matrix") {
    const rows = await runMatrix(defaultMatrixUrls(), out);
    return rows.some((r) => Object.values(r.cells).some((c) => c.status === "failed")) ? 1 : 0;
  }
  console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = BackendError.is(err) ? ` (${err.code})` : "";
    console.error(`playground: ${err instanceof Error ? err.message : String(err)}${code}`);
    process.exit(1);
  },
);
