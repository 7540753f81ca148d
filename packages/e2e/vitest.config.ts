import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the real-Ceph tier has its own config (vitest.ceph.config.ts, `npm run test:ceph`)
    exclude: ["test/ceph/**", "**/node_modules/**"],
    // generous: a real CLI call costs ~1 s idle and several under load, and a timeout is not a finding
    testTimeout: 120_000,
    // a lab (node) starting while Python CLIs run on 2 cores can take several seconds
    hookTimeout: 60_000,
    // each real-client file runs its Python CLI calls one after another; two files at
    // a time keep both cores busy (vitest's default on 2 cores is one worker)
    maxWorkers: 2,
  },
});
