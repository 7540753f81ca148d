import { defineConfig } from "vitest/config";

// `npm test`: unit tests and the lab flow (about a minute). `npm run test:slow`: every
// SIGKILL kill point against the lab as real processes (about two minutes on 2 cores).
const slow = process.env.CINDER_MIGRATE_SLOW_TESTS === "1";

export default defineConfig({
  test: {
    include: slow ? ["test/**/*.slow.test.ts"] : ["test/**/*.test.ts"],
    exclude: slow ? [] : ["test/**/*.slow.test.ts"],
    testTimeout: 60_000,
  },
});
