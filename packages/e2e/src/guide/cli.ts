// `node dist/guide/cli.js [OUT]`: regenerates docs/operator-guide.md (or writes OUT) from the
// template by running every command in it against a fresh lab.
import { readFile, writeFile } from "node:fs/promises";
import { REPO_ROOT } from "../harness/lab.js";
import { GUIDE_PATH, generateGuide, guidePaths } from "./generate.js";

const paths = guidePaths(REPO_ROOT);
const out = process.argv[2] ?? paths.guide;
try {
  const guide = await generateGuide({
    template: await readFile(paths.template, "utf8"),
    binDirs: paths.binDirs,
    onDone: (c, ms) => process.stderr.write(`${String(ms).padStart(6)} ms  $ ${c.split("\n")[0]}\n`),
  });
  await writeFile(out, guide);
  process.stdout.write(`wrote ${out === paths.guide ? GUIDE_PATH : out}\n`);
} catch (error) {
  process.stderr.write(`guide: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
