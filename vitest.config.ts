import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites start real HTTP servers and share one Redis (isolated by key prefix);
    // two cores, so a little parallelism across files only.
    pool: "forks",
    maxWorkers: 2,
  },
});
