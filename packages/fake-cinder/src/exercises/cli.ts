// The CLI side of the exercises: `fake-cinder lab --exercise NAME` plants one and prints the
// briefing; `fake-cinder lab --check --exercise NAME --ready-file FILE` judges a running lab.
import type { Lab } from "../lab.js";
import { briefing, findExercise } from "./catalogue.js";
import { collectRemoteLabState, readReadyFile } from "./collect.js";
import { runSetup } from "./setup.js";

interface Io {
  out(line: string): void;
}

export class ExerciseCheckFailed extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} left in the lab`);
    this.name = "ExerciseCheckFailed";
  }
}

export async function plantExercise(
  lab: Lab,
  name: string,
  readyFile: string | undefined,
  io: Io,
): Promise<void> {
  const exercise = findExercise(name);
  await runSetup(lab, exercise.setup);
  const noauth = Object.fromEntries(Object.values(lab.clusters).map((c) => [c.name, c.noauthUrl]));
  for (const line of briefing(exercise, { noauth, ...(readyFile ? { readyFile } : {}) })) io.out(line);
}

/** Prints the verdict; throws ExerciseCheckFailed (exit 1) when anything is wrong. */
export async function checkExercise(name: string, readyFile: string | undefined, io: Io): Promise<void> {
  const exercise = findExercise(name);
  if (!readyFile) throw new Error("--check needs --ready-file FILE: the file the running lab wrote");
  const state = await collectRemoteLabState(await readReadyFile(readyFile));
  const problems = exercise.check(state);
  if (problems.length === 0) {
    io.out(
      `exercise ${name}: PASS: the migration is done and both clusters and pool ${state.backupPool.name} are in order`,
    );
    return;
  }
  io.out(`exercise ${name}: FAIL: ${problems.length} problem${problems.length === 1 ? "" : "s"}:`);
  for (const p of problems) io.out(`  - ${p}`);
  throw new ExerciseCheckFailed(problems);
}
