import { defineConfig } from "vitest/config";

// Root runner: every package's own vitest.config.ts is a project, so `pnpm vitest`
// at the root runs everything while `pnpm test` (turbo) runs per package with caching.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tooling/e2e", "tooling/reliability"],
  },
});
