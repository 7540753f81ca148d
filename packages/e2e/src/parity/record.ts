// `node dist/parity/record.js [--out DIR] [--env FILE] [--only NAME,...]`: runs the parity
// scenarios against the real reference (scripts/reference/up.sh) and writes one snapshot
// file per scenario (default: the committed ones in test/parity/snapshots).
import { parseArgs } from "node:util";
import { type Scenario, scenarios } from "./scenarios.js";
import { runScenario, SNAPSHOT_DIR, writeSnapshot } from "./snapshots.js";
import { DEFAULT_REFERENCE_ENV, readReferenceEnv, referenceTarget } from "./targets.js";
import type { ParityTarget } from "./types.js";

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

/** records the scenarios against a target into dir; returns the seconds each took */
export async function recordAll(
  target: ParityTarget,
  dir: string,
  chosen: Scenario[],
  log: (line: string) => void,
): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const scenario of chosen) {
    const t0 = performance.now();
    const steps = await runScenario(target, scenario);
    seconds[scenario.name] = Math.round((performance.now() - t0) / 100) / 10;
    const path = await writeSnapshot(dir, {
      scenario: scenario.name,
      description: scenario.description,
      recordedAt: new Date().toISOString(),
      recordedAgainst: target.versions,
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
      debug: { type: "boolean" },
    },
  });
  try {
    const env = await readReferenceEnv(values.env ?? DEFAULT_REFERENCE_ENV);
    const t0 = performance.now();
    await recordAll(referenceTarget(env), values.out ?? SNAPSHOT_DIR, selectScenarios(values.only), (l) =>
      console.log(l),
    );
    console.log(`recording took ${Math.round((performance.now() - t0) / 1000)} s`);
  } catch (error) {
    console.error(`parity record: ${values.debug ? (error as Error).stack : (error as Error).message}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
