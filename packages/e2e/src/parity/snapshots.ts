// Snapshot files: one JSON per scenario, written by recording against the reference,
// read by the parity tests and the fidelity report.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ScenarioRun } from "./run.js";
import type { Scenario } from "./scenarios.js";
import { type Exchange, type ParityTarget, type SnapshotFile, snapshotFileSchema } from "./types.js";

/** packages/e2e/test/parity/snapshots (from src/ or dist/ alike) */
export const SNAPSHOT_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "test",
  "parity",
  "snapshots",
);

export const snapshotPath = (dir: string, scenario: string): string => join(dir, `${scenario}.json`);

/** runs one scenario in a project of its own (noauth takes any hex id), normalised */
export async function runScenario(
  target: ParityTarget,
  scenario: Scenario,
): Promise<Record<string, Exchange>> {
  const run = new ScenarioRun(target, randomBytes(16).toString("hex"));
  await scenario.run(run);
  return run.steps();
}

export async function readSnapshot(dir: string, scenario: string): Promise<SnapshotFile> {
  const path = snapshotPath(dir, scenario);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(
      `no recorded snapshot for scenario ${scenario}: ${path} (record it with npm run parity:record -w @cinderlab/e2e)`,
    );
  }
  return snapshotFileSchema.parse(JSON.parse(text));
}

export async function writeSnapshot(dir: string, file: SnapshotFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = snapshotPath(dir, file.scenario);
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}
