#!/usr/bin/env bash
# local-down.sh DIR — stop the cluster local-up.sh started in DIR and delete DIR.
# Only the PIDs recorded in DIR/pids are signalled, and only while their command line is
# still a ceph daemon reading DIR/ceph.conf (a recycled PID is never killed). Idempotent.
set -uo pipefail
DIR=${1:?usage: local-down.sh DIR}
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
[ -d "$DIR" ] || exit 0
[ -f "$DIR/.cinderlab-ceph" ] || { echo "local-down: $DIR is not a cinderlab ceph dir; leaving it" >&2; exit 1; }

ours() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "^ceph-[a-z]* .*$DIR/ceph.conf"; }
pids=()
if [ -f "$DIR/pids" ]; then
  # reverse start order: osd before mon, so the osd does not wait on a dead monitor
  while read -r name pid; do
    [ -n "${pid:-}" ] && ours "$pid" && { kill -TERM "$pid" 2>/dev/null; pids+=("$pid"); }
  done < <(tac "$DIR/pids")
fi
# The data dies with DIR, so a clean shutdown buys nothing; ceph-mon alone takes ~5 s to
# honour SIGTERM, which would double a test's cost. Grant a short grace, then SIGKILL.
for _ in $(seq 20); do
  alive=0
  for p in "${pids[@]}"; do ours "$p" && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.05
done
for p in "${pids[@]}"; do
  ours "$p" && kill -KILL "$p" 2>/dev/null
done
for _ in $(seq 40); do
  alive=0
  for p in "${pids[@]}"; do ours "$p" && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.05
done
rm -rf "$DIR"
