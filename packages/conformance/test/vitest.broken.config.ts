import { defineConfig } from "vitest/config";

// Runs one broken-variant fixture at a time for src/broken-variants.test.ts.
export default defineConfig({
  test: { include: ["test/broken/*.fixture.ts"], root: new URL("..", import.meta.url).pathname },
});
