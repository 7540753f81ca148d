#!/usr/bin/env bash
# dockerd-up.sh [STATE_DIR] — make a Docker engine answer on /var/run/docker.sock, for the
# testcontainers tier of the real-Ceph tests. Machines here have no systemd, so dockerd is
# started as a plain background process and its PID recorded in STATE_DIR/dockerd.pid;
# dockerd-down.sh STATE_DIR stops exactly that process. Idempotent: if an engine already
# answers, nothing is started and nothing is recorded (dockerd-down.sh then leaves it alone).
#
# Installs Debian's docker.io when dockerd is missing (`apt-get update` first unless
# CINDERLAB_APT_UPDATED is set, as .ci/run does after its own update).
#
# Machine facts this relies on:
#  - `--ip=127.0.0.1`: ports testcontainers publishes bind to loopback only;
#  - dockerd starts its own containerd when none runs, and stops it on SIGTERM;
#  - no registry is reachable, so images are built locally (build-ceph-image.sh).
# stderr carries progress and timings; exit 0 once `docker info` answers.
set -euo pipefail
STATE=${1:-/tmp/cinderlab-docker}
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac
mkdir -p "$STATE"
say() { printf 'dockerd-up: %s\n' "$*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

t0=$(now_ms)
if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { say "error: dockerd is missing and installing docker.io needs root"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${CINDERLAB_APT_UPDATED:-}" ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
  fi
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker.io >"$STATE/apt-install.log" 2>&1 \
    || { tail -20 "$STATE/apt-install.log" >&2; say "error: apt-get install docker.io failed (log: $STATE/apt-install.log)"; exit 1; }
  say "installed docker.io in $(( $(now_ms) - t0 )) ms"
fi
# the Debian client; /usr/local/bin may hold another one earlier in PATH, which is fine
# as long as it speaks to the same socket

t1=$(now_ms)
if docker info >/dev/null 2>&1; then
  say "a Docker engine already answers; leaving it as it is"
  exit 0
fi
if [ -s "$STATE/dockerd.pid" ] && [ -r "/proc/$(cat "$STATE/dockerd.pid")/cmdline" ] \
   && tr '\0' ' ' <"/proc/$(cat "$STATE/dockerd.pid")/cmdline" | grep -q '^dockerd '; then
  say "error: dockerd (pid $(cat "$STATE/dockerd.pid")) is running but does not answer; see $STATE/dockerd.log"
  exit 1
fi
# setsid: dockerd must not share our process group, or a caller's Ctrl-C/kill of the
# group would take the engine (and every container) down mid-test.
setsid dockerd --host=unix:///var/run/docker.sock --ip=127.0.0.1 </dev/null >"$STATE/dockerd.log" 2>&1 &
echo $! >"$STATE/dockerd.pid"
for _ in $(seq 600); do
  docker info >/dev/null 2>&1 && break
  kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null || { tail -30 "$STATE/dockerd.log" >&2; say "error: dockerd exited"; exit 1; }
  sleep 0.1
done
docker info >/dev/null 2>&1 || { tail -30 "$STATE/dockerd.log" >&2; say "error: dockerd did not answer within 60 s"; exit 1; }
say "dockerd (pid $(cat "$STATE/dockerd.pid")) answers after $(( $(now_ms) - t1 )) ms; stop with $(dirname "$0")/dockerd-down.sh $STATE"
