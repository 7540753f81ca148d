#!/usr/bin/env bash
# The real-Ceph tier (`npm run test:ceph`): the e2e suites that need a real Ceph 16.2,
# on the provider CEPH_PROVIDER names (testcontainers | local | external; default:
# testcontainers when a Docker engine answers, else local). Ends with the totals line.
set -uo pipefail
cd "$(dirname "$0")/.."
reports=$(mktemp -d)
status=0
(cd packages/e2e && npx vitest run -c vitest.ceph.config.ts --reporter=default \
    --reporter=json --outputFile.json="$reports/ceph.json") || status=1
[ -s "$reports/ceph.json" ] || { echo "test:ceph: the suite produced no report" >&2; echo "0 passed, 1 failed"; exit 1; }
node scripts/test-totals.mjs "$reports" || status=1
rm -rf "$reports"
exit $status
