#!/usr/bin/env bash
# The one test command (README's `npm test`, called by .ci/run): installs what the
# tests need, builds, lints, runs every package's vitest suite and prints the
# totals as one line: "N passed, N failed[, N skipped]". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh || { echo "test: could not install the Debian packages the tests need" >&2; exit 1; }
node scripts/ensure-ready.mjs || { echo "test: install/build failed" >&2; exit 1; }
npx biome check . || { echo "test: lint failed (npm run format fixes most of it)" >&2; exit 1; }
npx turbo run typecheck --output-logs=errors-only || { echo "test: typecheck failed" >&2; exit 1; }
node scripts/link-bins.mjs || { echo "test: could not link the package binaries" >&2; exit 1; }

reports=$(mktemp -d)
status=0
for pkg in fake-rbd fake-cinder migrator e2e; do
  echo "=== @cinderlab/$pkg"
  (cd "packages/$pkg" && npx vitest run --passWithNoTests --reporter=default \
      --reporter=json --outputFile.json="$reports/$pkg.json") || status=1
done
for pkg in fake-rbd fake-cinder migrator e2e; do
  [ -s "$reports/$pkg.json" ] || { echo "test: @cinderlab/$pkg produced no report" >&2; status=1; }
done
node scripts/test-totals.mjs "$reports" || status=1
rm -rf "$reports"
exit $status
