#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BackendError, type BackendProvider, loadProvider, registerBackend } from "@core/protocols";
import { registerBuiltinProviders } from "./builtin-providers.js";
import { runDemo } from "./demo.js";
import { defaultMatrixUrls, runMatrix, withExtraRows } from "./matrix.js";
import { terminalOutput } from "./output.js";
import { startServer } from "./serve/server.js";
import { PROTOCOLS } from "./serve/session.js";

const USAGE = `usage: playground [demo|matrix|serve] [options]

  demo (default)   feed pipeline over all five protocols
    --cache URL        lower cache tier (upper tier is always memory:)
    --queue URL        where feed items arrive
    --records URL      record store (sightings, layers)
    --transport URL    publisher transport (fanned out with a custom audit: backend)
    --sql URL          SQL report (sqlite or postgres)
    --items N          feed items (default 500)
  matrix           smoke every protocol on every built-in backend (and each --backend-package)
                     memory, file and sqlite in a temp dir (removed afterwards); it WRITES
                     to the servers at POSTGRES_URL (default postgres://root@127.0.0.1:5432/test,
                     schema core) and REDIS_URL (default redis://127.0.0.1:6379, db 0, prefix
                     core), in names matrix-<run>-*
    --url URL          also smoke this URL (repeatable), e.g. one of a --backend-package
  serve            a local web page to try each protocol on any backend
    --port N           port on 127.0.0.1 (default 4680; 0 = any free port)
    --cache/--queue/--records/--transport/--sql URL   initial choices on the page
  --backend-package NAME   load and register a third-party backend package first (matrix
                           adds a row at <its scheme>: unless a --url uses that scheme;
                           serve lists its schemes and suggests <scheme>: URLs)
Defaults are embedded (file queue, sqlite, memory transport in a temp dir): no server needed.`;

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
      port: { type: "string" },
      url: { type: "string", multiple: true },
      "backend-package": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  registerBuiltinProviders();
  const packages: BackendProvider[] = [];
  for (const name of values["backend-package"] ?? []) {
    const provider = await loadProvider(name);
    registerBackend(provider);
    packages.push(provider);
  }
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
    const dir = mkdtempSync(join(tmpdir(), "core-matrix-"));
    const urls = withExtraRows(defaultMatrixUrls(dir), packages, values.url ?? []);
    const rows = await runMatrix(urls, out).finally(() => rmSync(dir, { recursive: true, force: true }));
    return rows.some((r) => Object.values(r.cells).some((c) => c.status === "failed")) ? 1 : 0;
  }
  if (command === "serve") {
    const port = values.port === undefined ? 4680 : Number(values.port);
    if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
      throw new Error("--port must be an integer between 0 and 65535");
    const initial = Object.fromEntries(
      (["cache", "queue", "records", "transport", "sql"] as const).flatMap((k) => (values[k] ? [[k, values[k]]] : [])),
    );
    const server = await startServer({ port, initial, packages });
    try {
      // Open the chosen backends now so a bad URL or a stopped server is reported here.
      for (const protocol of PROTOCOLS) await server.session.backend(protocol);
    } catch (err) {
      await server.close();
      throw err;
    }
    out.line(`playground: serving on ${server.url}  (Ctrl+C to stop)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    return 0;
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
