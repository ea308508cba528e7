import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "backend-file", include: ["src/**/*.test.ts"] },
});
