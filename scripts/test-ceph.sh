#!/usr/bin/env bash
# The real-Ceph tier (`npm run test:ceph`): the e2e suites that need a real Ceph 16.2,
# on the provider CEPH_PROVIDER names (testcontainers | local | external; default:
# testcontainers when a Docker engine answers, else local). Ends with the totals line.
exec bash "$(dirname "$0")/run-suite.sh" e2e -c vitest.ceph.config.ts
