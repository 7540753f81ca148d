// Adds up test counts into the one closing line CI reads: "N passed, N failed[, N skipped]".
//   test-totals.mjs DIR        sums vitest JSON reports in DIR; appends the counts to
//                              $CINDERLAB_TOTALS_FILE when set (so .ci/run can add suites up)
//   test-totals.mjs --sum FILE sums the counts appended to FILE
import { appendFileSync, readdirSync, readFileSync } from "node:fs";

const totals = { passed: 0, failed: 0, skipped: 0 };
const args = process.argv.slice(2);
if (args[0] === "--sum") {
  for (const line of readFileSync(args[1], "utf8").split("\n").filter(Boolean)) {
    const [p, f, s] = line.split(" ").map(Number);
    totals.passed += p;
    totals.failed += f;
    totals.skipped += s;
  }
} else {
  const dir = args[0];
  for (const file of readdirSync(dir)) {
    const report = JSON.parse(readFileSync(`${dir}/${file}`, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
    // A test file that failed to load has no failed tests but must still fail the run.
    if (report.numFailedTestSuites > 0 && report.numFailedTests === 0)
      totals.failed += report.numFailedTestSuites;
  }
  if (process.env.CINDERLAB_TOTALS_FILE) {
    appendFileSync(
      process.env.CINDERLAB_TOTALS_FILE,
      `${totals.passed} ${totals.failed} ${totals.skipped}\n`,
    );
  }
}
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : "";
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed > 0 ? 1 : 0);
