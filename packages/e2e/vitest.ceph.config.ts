import { defineConfig } from "vitest/config";

// The real-Ceph tier (`npm run test:ceph`): provider chosen by CEPH_PROVIDER, see
// src/ceph/choose-provider.ts. Kept out of the default run because it needs a cluster.
export default defineConfig({
  test: {
    include: ["test/ceph/**/*.test.ts"],
    globalSetup: ["test/ceph/global-setup.ts"],
    // one cluster per file; two clusters at once only fight over 2 cores
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: { TESTCONTAINERS_RYUK_DISABLED: "true" },
  },
});
