#!/usr/bin/env bash
# Runs one vitest suite of one package with a JSON report and prints its totals line
# (appending the counts to $CINDERLAB_TOTALS_FILE when set, so .ci/run can add suites up).
#   run-suite.sh PACKAGE [vitest args...]     e.g. run-suite.sh e2e -c vitest.ceph.config.ts
set -uo pipefail
cd "$(dirname "$0")/.."
pkg=$1; shift
reports=$(mktemp -d)
status=0
(cd "packages/$pkg" && npx vitest run --reporter=default \
    --reporter=json --outputFile.json="$reports/$pkg.json" "$@") || status=1
if [ ! -s "$reports/$pkg.json" ]; then
  echo "run-suite: @cinderlab/$pkg $* produced no report" >&2
  echo "0 passed, 1 failed"
  [ -n "${CINDERLAB_TOTALS_FILE:-}" ] && echo "0 1 0" >> "$CINDERLAB_TOTALS_FILE"
  exit 1
fi
node scripts/test-totals.mjs "$reports" || status=1
rm -rf "$reports"
exit $status
