#!/usr/bin/env node
// Build step (also prepack): records the versions of @core/protocols and @core/conformance
// from their package.json in dist/versions.json, which ships in the tarball.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readWorkspaceVersions } from "../src/versions.mjs";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const versions = readWorkspaceVersions();
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, "versions.json"), `${JSON.stringify(versions, null, 2)}\n`);
console.log(`create-core-backend: @core/protocols ${versions.protocols}, @core/conformance ${versions.conformance}`);
