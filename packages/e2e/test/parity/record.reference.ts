// Re-records the parity scenarios against the running real reference into a temp dir, then
// runs the fakes against that fresh recording: fails where real Cinder's behaviour moved in
// a way the fakes (and the declared differences) do not follow.
//
// Every step that is not a race point is compared with the fresh recording alone. At a race
// point (a show right after a create or restore, a polling) one run of real Cinder shows one
// of several legitimate things, so the fakes are compared with every observation real
// Cinder was seen to make there: the committed snapshot's and this run's. An observation
// this run saw for the first time is printed (`npm run parity:record -w @cinderlab/e2e`
// adds it to the committed snapshots).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeUndeclared, mergeRecordings, newObservations } from "../../src/parity/compare.js";
import { compareFakes } from "../../src/parity/fakes.js";
import { recordAll } from "../../src/parity/record.js";
import { scenarios } from "../../src/parity/scenarios.js";
import { readSnapshot, SNAPSHOT_DIR } from "../../src/parity/snapshots.js";
import { readReferenceEnv, referenceTarget } from "../../src/parity/targets.js";

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
      const fresh = await readSnapshot(dir, scenario.name);
      const committed = await readSnapshot(SNAPSHOT_DIR, scenario.name);
      for (const { step, observation } of newObservations(committed.steps, fresh.steps)) {
        console.log(
          `${scenario.name}: real Cinder showed an observation not in the committed snapshot at "${step}": ${JSON.stringify(observation).slice(0, 400)}`,
        );
      }
      const { steps, comparison } = await compareFakes(
        scenario,
        mergeRecordings(committed.steps, fresh.steps),
      );
      expect(
        comparison.failing,
        `undeclared differences in ${scenario.name}:\n${describeUndeclared(comparison)}`,
      ).toBe(0);
      // the fresh recording has every step the scenario records, race points included
      expect(Object.keys(fresh.steps)).toEqual(Object.keys(steps));
    });
  }
});
