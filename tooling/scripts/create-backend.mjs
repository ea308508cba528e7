#!/usr/bin/env node
// `pnpm create-backend <name> [--dir <path>]` in this repository: the published
// create-core-backend (packages/create-core-backend) with the repository root, so the default
// is packages/backend-<name> with `workspace:^` ranges and a changeset; a --dir outside the
// repository writes the standalone package `npm create core-backend` writes.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as create from "../../packages/create-core-backend/src/create.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// `pnpm create-backend` runs at the repository root; INIT_CWD is where the user typed it.
const CALLER_CWD = process.env.INIT_CWD ?? process.cwd();

export const { checkName, files } = create;

/** The plan for this repository (see create-core-backend's `plan`). */
export function plan(argv, cwd = CALLER_CWD) {
  return create.plan(argv, cwd, ROOT);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = create.main(process.argv.slice(2), { command: "create-backend", cwd: CALLER_CWD, root: ROOT });
}
