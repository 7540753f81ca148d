#!/usr/bin/env bash
# dockerd-down.sh [STATE_DIR] — stop the dockerd that dockerd-up.sh started (PID in
# STATE_DIR/dockerd.pid). Signals only that PID, and only while it is still dockerd (a
# recycled PID is never killed). An engine dockerd-up.sh found already running is left alone.
set -uo pipefail
STATE=${1:-/tmp/cinderlab-docker}
PIDFILE=$STATE/dockerd.pid
[ -s "$PIDFILE" ] || exit 0
pid=$(cat "$PIDFILE")
ours() { [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^dockerd '; }
if ours; then
  kill -TERM "$pid"
  # dockerd stops its containers (10 s grace each) and its containerd before exiting
  for _ in $(seq 600); do ours || break; sleep 0.1; done
  if ours; then echo "dockerd-down: dockerd (pid $pid) ignored SIGTERM for 60 s; killing" >&2; kill -KILL "$pid"; fi
fi
rm -f "$PIDFILE"
