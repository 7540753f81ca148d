#!/usr/bin/env bash
# record-real-rbd.sh — regenerate fake-rbd's real-rbd fixtures (test/fixtures/real/) from a
# fresh throwaway Ceph cluster.
#
#   bash packages/fake-rbd/scripts/record-real-rbd.sh          # re-record, as root
#   bash packages/fake-rbd/scripts/record-real-rbd.sh --check  # record to a temporary dir and
#        compare with the committed fixtures: same streams, same bytes at every point, same
#        stdout (ids and times aside), stderr texts and exit codes; exit 1 listing what moved
#        (e.g. after a Ceph upgrade, or a scenario change not re-recorded)
#
# Needs the Debian packages ceph-mon, ceph-osd, ceph-common and python3-rbd (the script
# runs /usr/bin/python3, where Debian's rados/rbd bindings live). Takes about 30 s.
# It starts a cluster with scripts/ceph/local-up.sh in a temporary directory, runs
# record_real_rbd.py against it and always stops the cluster (scripts/ceph/local-down.sh).
#
# What it writes (every file replaced; the recorded `rbd --version` is in manifest.json):
#   manifest.json  the scenario: images, each step (command or seeded write/discard),
#                  every export-diff stream with the command that made it, and the sha256
#                  and size of `rbd export` at every snapshot and at head
#   streams/*.diff real `rbd export-diff` output, plus crafted bad streams used by errors.json
#   outputs.json   stdout/stderr/exit code of read-only commands (info, ls, snap ls, diff,
#                  du, ... in json and plain form) on the final state
#   errors.json    stderr and exit code of the common mistakes (a few succeed on real rbd:
#                  kept, with exit code 0, because the fake must not fail there either)
# Data is deterministic: write k of a step fills its bytes from the "cinderlab-sha256"
# pattern (sha256("<seed>:<block>") for 32-byte blocks), which test/helpers/ceph-fixtures.ts
# reproduces. Ids, timestamps and block_name_prefix differ from run to run; tests normalise them.
set -euo pipefail
PKG=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$PKG/../.." && pwd)
FIXTURES=$PKG/test/fixtures/real
CHECK=0
if [ "${1:-}" = --check ]; then CHECK=1; shift; fi
WORK=$(mktemp -d /tmp/cinderlab-record.XXXXXX)
OUT=${1:-$FIXTURES}
[ "$CHECK" = 0 ] || OUT=$WORK/fixtures
CLUSTER=$WORK/ceph
trap '"$ROOT/scripts/ceph/local-down.sh" "$CLUSTER"; rm -rf "$WORK"' EXIT

CONF=$(CEPH_POOLS="rbd" "$ROOT/scripts/ceph/local-up.sh" "$CLUSTER")
rm -rf "$OUT.new" && mkdir -p "$OUT.new/streams"
/usr/bin/python3 "$PKG/scripts/record_real_rbd.py" --conf "$CONF" --out "$OUT.new" --work "$WORK"
if [ "$CHECK" = 1 ]; then
  /usr/bin/python3 "$PKG/scripts/compare_real_fixtures.py" "$FIXTURES" "$OUT.new"
  exit
fi
# README.md describes the fixtures; it is written by hand, not recorded
[ ! -f "$OUT/README.md" ] || cp "$OUT/README.md" "$OUT.new/README.md"
rm -rf "$OUT" && mv "$OUT.new" "$OUT"
echo "record-real-rbd: fixtures written to $OUT" >&2
