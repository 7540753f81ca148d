// Global setup of `npm run test:reference`: uses a running reference (its env file) or starts
// one with scripts/reference/up.sh, and then stops only what it started.
import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../src/harness/lab.js";
import { DEFAULT_REFERENCE_ENV } from "../../src/parity/targets.js";

const run = promisify(execFile);
const UP = join(REPO_ROOT, "scripts", "reference", "up.sh");
const DOWN = join(REPO_ROOT, "scripts", "reference", "down.sh");

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const running = await access(DEFAULT_REFERENCE_ENV).then(
    () => true,
    () => false,
  );
  if (running) return undefined;
  const t0 = performance.now();
  await run("bash", [UP], { maxBuffer: 64 << 20 });
  console.log(`reference up in ${Math.round((performance.now() - t0) / 1000)} s`);
  return async () => {
    await run("bash", [DOWN], { maxBuffer: 64 << 20 });
  };
}
