// The race that made `npm run test:reference` flaky, made deterministic: a recording taken
// while the target's services were fast enough that every show right after a create or a
// restore saw the resource settled already, and every polling missed the transient status.
// A fake lab with zero delays stands in for that real Cinder. Compared with it alone, the
// fakes (normal delays) differ; compared as test:reference does (its race points merged
// with the committed snapshot's), they must not, and no step after a race point may shift.
import { describe, expect, test } from "vitest";
import { compareScenario, mergeRecordings, newObservations } from "../../src/parity/compare.js";
import { declaredDifferences } from "../../src/parity/declared.js";
import { scenarios } from "../../src/parity/scenarios.js";
import { readSnapshot, runScenario, SNAPSHOT_DIR } from "../../src/parity/snapshots.js";
import { fakesTarget } from "../../src/parity/targets.js";

async function record(
  delayMs?: number,
  name = "cross-cluster",
): Promise<Awaited<ReturnType<typeof runScenario>>> {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const target = await fakesTarget(delayMs === undefined ? {} : { delayMs });
  try {
    return await runScenario(target, scenario);
  } finally {
    await target.close();
  }
}

describe("a recording that missed every transient state", () => {
  for (const name of ["cross-cluster", "restore-variants"]) {
    test(name, async () => {
      const fast = await record(0, name);
      const fakes = await record(undefined, name);
      const committed = (await readSnapshot(SNAPSHOT_DIR, name)).steps;
      const declared = declaredDifferences[name] ?? [];

      const missed = newObservations(committed, fast);
      expect(missed.some((m) => m.observation.settled === "available")).toBe(true);
      expect(missed.some((m) => m.observation.statuses?.join() === "available")).toBe(true);
      expect(compareScenario(name, fast, fakes, declared).failing).toBeGreaterThan(0);

      const merged = compareScenario(name, mergeRecordings(committed, fast), fakes, declared);
      expect(merged.failing).toBe(0);
      // everything that is not a race point (after them too) still compares with the fast recording
      for (const step of merged.steps.filter((s) => s.variants === undefined))
        expect(fast[step.step], step.step).toEqual(fakes[step.step]);
    });
  }
});
