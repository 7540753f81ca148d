import { defineConfig } from "vitest/config";

// `npm run test:reference`: re-records every parity scenario against REAL Cinder A and B
// (scripts/reference/up.sh; started here when not already running) into a temp dir and
// fails where the fakes do not match the new recording. Minutes, not seconds: run on demand.
export default defineConfig({
  test: {
    include: ["test/parity/**/*.reference.ts"],
    globalSetup: ["test/parity/reference-setup.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
