import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test-node/**/*.test.ts", "test-browser/**/*.test.ts"],
    // Each test file in its own child process: the files start real worker threads and children.
    pool: "forks",
    execArgv: ["--expose-gc"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests import the built package through its exports ("isofutures" → dist/), not the sources.
    server: { deps: { external: [/\/dist\//] } },
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
