// `node dist/parity/record.js [--out DIR] [--env FILE] [--only NAME,...] [--times N] [--fresh]`:
// runs the parity scenarios against the real reference (scripts/reference/up.sh) and writes
// one snapshot file per scenario (default: the committed ones in test/parity/snapshots).
// A race point keeps the observations of the file it replaces (when recorded against the
// same versions) besides the new one, so recording again only ever adds what real Cinder
// was seen to do; --fresh starts over, --times records N times in a row.
import { parseArgs } from "node:util";
import { canonical, mergeRecordings } from "./compare.js";
import { type Scenario, scenarios } from "./scenarios.js";
import { readSnapshot, runScenario, SNAPSHOT_DIR, writeSnapshot } from "./snapshots.js";
import { readReferenceEnv, referenceEnvPath, referenceTarget } from "./targets.js";
import type { ParityTarget, SnapshotFile } from "./types.js";

export function selectScenarios(only: string | undefined): Scenario[] {
  if (!only) return scenarios;
  const names = only.split(",").map((n) => n.trim());
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`,
    );
  return scenarios.filter((s) => names.includes(s.name));
}

/** the snapshot already in dir for this scenario, when it was recorded against the same versions */
async function earlierRecording(
  dir: string,
  scenario: string,
  target: ParityTarget,
): Promise<SnapshotFile | undefined> {
  const earlier = await readSnapshot(dir, scenario).catch(() => undefined);
  if (earlier === undefined) return undefined;
  return canonical(earlier.recordedAgainst) === canonical(target.versions) ? earlier : undefined;
}

/**
 * Records the scenarios against a target into dir; with `merge`, a race point keeps the
 * observations of the snapshot it replaces. Returns the seconds each took.
 */
export async function recordAll(
  target: ParityTarget,
  dir: string,
  chosen: Scenario[],
  log: (line: string) => void,
  options: { merge?: boolean } = {},
): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const scenario of chosen) {
    const t0 = performance.now();
    const fresh = await runScenario(target, scenario);
    seconds[scenario.name] = Math.round((performance.now() - t0) / 100) / 10;
    const earlier = options.merge ? await earlierRecording(dir, scenario.name, target) : undefined;
    const steps = earlier ? mergeRecordings(earlier.steps, fresh) : fresh;
    const path = await writeSnapshot(dir, {
      scenario: scenario.name,
      description: scenario.description,
      recordedAt: new Date().toISOString(),
      recordedAgainst: target.versions,
      recordings: (earlier?.recordings ?? (earlier ? 1 : 0)) + 1,
      steps,
    });
    log(
      `recorded ${scenario.name}: ${Object.keys(steps).length} exchanges in ${seconds[scenario.name]} s → ${path}`,
    );
  }
  return seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      env: { type: "string" },
      only: { type: "string" },
      times: { type: "string", default: "1" },
      fresh: { type: "boolean" },
      debug: { type: "boolean" },
    },
  });
  try {
    const times = Number(values.times);
    if (!Number.isInteger(times) || times < 1)
      throw new Error(`--times must be a whole number ≥ 1, got ${values.times}`);
    const env = await readReferenceEnv(values.env ?? referenceEnvPath());
    const out = values.out ?? SNAPSHOT_DIR;
    const t0 = performance.now();
    for (let i = 0; i < times; i++) {
      await recordAll(referenceTarget(env), out, selectScenarios(values.only), (l) => console.log(l), {
        merge: !(values.fresh && i === 0),
      });
    }
    console.log(`recording took ${Math.round((performance.now() - t0) / 1000)} s`);
  } catch (error) {
    console.error(`parity record: ${values.debug ? (error as Error).stack : (error as Error).message}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
