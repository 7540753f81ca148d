import { defineConfig } from "vitest/config";

// `npm run test:parity`: the fakes against the committed recordings of real Cinder
// (no real Cinder needed; the same file also runs in the default suite)
export default defineConfig({
  test: {
    include: ["test/parity/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
