// The fakes against the committed recordings of real Cinder (test/parity/snapshots): every
// scenario runs on a fresh fake lab and must match, but for the declared differences.
import { describe, expect, test } from "vitest";
import { describeUndeclared } from "../../src/parity/compare.js";
import { compareFakes } from "../../src/parity/fakes.js";
import { scenarios } from "../../src/parity/scenarios.js";
import { readSnapshot, SNAPSHOT_DIR } from "../../src/parity/snapshots.js";

describe("parity with real Cinder 21.3.1 (recorded)", () => {
  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const snapshot = await readSnapshot(SNAPSHOT_DIR, scenario.name);
      const { comparison } = await compareFakes(scenario, snapshot.steps);
      expect(
        comparison.failing,
        `undeclared differences in ${scenario.name}:\n${describeUndeclared(comparison)}`,
      ).toBe(0);
      expect(comparison.compared).toBe(Object.keys(snapshot.steps).length);
    });
  }
});
