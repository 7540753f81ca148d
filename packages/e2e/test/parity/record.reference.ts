// Re-records the parity scenarios against the running real reference into a temp dir, then
// runs the fakes against that fresh recording: fails where real Cinder's behaviour moved in
// a way the fakes (and the declared differences) do not follow.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compareScenario, describeUndeclared } from "../../src/parity/compare.js";
import { declaredDifferences } from "../../src/parity/declared.js";
import { recordAll } from "../../src/parity/record.js";
import { scenarios } from "../../src/parity/scenarios.js";
import { readSnapshot, runScenario } from "../../src/parity/snapshots.js";
import { fakesTarget, readReferenceEnv, referenceTarget } from "../../src/parity/targets.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cinderlab-parity-"));
  const target = referenceTarget(await readReferenceEnv());
  const t0 = performance.now();
  await recordAll(target, dir, scenarios, (line) => console.log(line));
  console.log(`recording against the reference took ${Math.round((performance.now() - t0) / 1000)} s`);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the fakes against a fresh recording of real Cinder", () => {
  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const recorded = await readSnapshot(dir, scenario.name);
      const target = await fakesTarget();
      let steps: Awaited<ReturnType<typeof runScenario>>;
      try {
        steps = await runScenario(target, scenario);
      } finally {
        await target.close();
      }
      const comparison = compareScenario(
        scenario.name,
        recorded.steps,
        steps,
        declaredDifferences[scenario.name] ?? [],
      );
      expect(
        comparison.failing,
        `undeclared differences in ${scenario.name}:\n${describeUndeclared(comparison)}`,
      ).toBe(0);
    });
  }
});
