// The fakes against the committed recordings of real Cinder (test/parity/snapshots): every
// scenario runs on a fresh fake lab and must match, but for the declared differences.
import { describe, expect, test } from "vitest";
import { compareScenario, describeUndeclared } from "../../src/parity/compare.js";
import { declaredDifferences } from "../../src/parity/declared.js";
import { scenarios } from "../../src/parity/scenarios.js";
import { readSnapshot, runScenario, SNAPSHOT_DIR } from "../../src/parity/snapshots.js";
import { fakesTarget } from "../../src/parity/targets.js";

describe("parity with real Cinder 21.3.1 (recorded)", () => {
  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const snapshot = await readSnapshot(SNAPSHOT_DIR, scenario.name);
      const target = await fakesTarget();
      let steps: Awaited<ReturnType<typeof runScenario>>;
      try {
        steps = await runScenario(target, scenario);
      } finally {
        await target.close();
      }
      const comparison = compareScenario(
        scenario.name,
        snapshot.steps,
        steps,
        declaredDifferences[scenario.name] ?? [],
      );
      expect(
        comparison.failing,
        `undeclared differences in ${scenario.name}:\n${describeUndeclared(comparison)}`,
      ).toBe(0);
      expect(comparison.compared).toBe(Object.keys(snapshot.steps).length);
    });
  }
});
