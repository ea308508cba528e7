#!/usr/bin/env node
// `npm create core-backend@latest <name>` / `pnpm create core-backend <name>`: a standalone
// backend package in ./backend-<name>. npm and pnpm run this in the directory the user typed
// the command in.
import { main } from "../src/create.mjs";

process.exitCode = main(process.argv.slice(2), { command: "create-core-backend", cwd: process.cwd() });
