// docs/operator-guide.md is generated: every command in it runs against a fresh lab and its
// output must be what the committed guide shows. This regenerates it (in memory) and fails
// on any difference, saying where and how to regenerate.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { GUIDE_PATH, generateGuide, guidePaths, REGENERATE } from "../../src/guide/generate.js";
import { REPO_ROOT } from "../../src/harness/lab.js";

function firstDifference(expected: string, actual: string): string {
  const e = expected.split("\n");
  const a = actual.split("\n");
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i])
      return `line ${i + 1}:\n  committed: ${e[i] ?? "(end of file)"}\n  lab now:   ${a[i] ?? "(end of file)"}`;
  }
  return "no difference";
}

describe("docs/operator-guide.md", () => {
  it("is what its commands print against the lab today", { timeout: 180_000 }, async () => {
    const paths = guidePaths(REPO_ROOT);
    const committed = await readFile(paths.guide, "utf8");
    const fresh = await generateGuide({
      template: await readFile(paths.template, "utf8"),
      binDirs: paths.binDirs,
    });
    if (fresh !== committed) {
      expect.fail(
        `${GUIDE_PATH} differs from what the lab prints now (${firstDifference(committed, fresh)}).\n` +
          `If the change is intended, regenerate it from the repository root: ${REGENERATE} (after npx turbo run build), and commit it.`,
      );
    }
    // the check at the end of the procedure holds: both sums printed, and equal
    const sums = [...fresh.matchAll(/^([0-9a-f]{64}) {2}-$/gm)].map((m) => m[1]);
    expect(sums).toHaveLength(2);
    expect(sums[0]).toBe(sums[1]);
  });
});
