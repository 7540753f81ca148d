// Global setup of `npm run test:reference`: uses a running reference, the one whose env file
// $CINDERLAB_REFERENCE_ENV names or else the one at up.sh's default place, or starts one with
// scripts/reference/up.sh; it stops only what it started (down.sh, by the PIDs up.sh wrote),
// also when the start itself failed half-way.
import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../src/harness/lab.js";
import { readReferenceEnv, referenceEnvPath } from "../../src/parity/targets.js";

const run = promisify(execFile);
const UP = join(REPO_ROOT, "scripts", "reference", "up.sh");
const DOWN = join(REPO_ROOT, "scripts", "reference", "down.sh");

/** the env file names a reference that answers (a stale file after a crash does not) */
async function answering(envPath: string): Promise<void> {
  const env = await readReferenceEnv(envPath);
  for (const url of [env.CINDER_A_URL, env.CINDER_B_URL]) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(5_000) });
    } catch (error) {
      throw new Error(
        `the reference described by ${envPath} does not answer at ${url} (${(error as Error).message}); stop it with npm run reference:down and try again`,
      );
    }
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const envPath = referenceEnvPath();
  const exists = await access(envPath).then(
    () => true,
    () => false,
  );
  if (exists) {
    await answering(envPath);
    console.log(`using the running reference described by ${envPath}`);
    return undefined;
  }
  if (process.env.CINDERLAB_REFERENCE_ENV)
    throw new Error(`CINDERLAB_REFERENCE_ENV names ${envPath}, which does not exist`);
  const t0 = performance.now();
  const down = async (): Promise<void> => {
    await run("bash", [DOWN], { maxBuffer: 64 << 20 });
  };
  try {
    await run("bash", [UP], { maxBuffer: 64 << 20 });
  } catch (error) {
    await down().catch(() => undefined);
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`scripts/reference/up.sh failed: ${stderr.split("\n").slice(-8).join("\n")}`);
  }
  console.log(`reference up in ${Math.round((performance.now() - t0) / 1000)} s (stopped again at the end)`);
  return down;
}
