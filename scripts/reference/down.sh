#!/usr/bin/env bash
# down.sh [DIR] — stop what up.sh started (the PIDs recorded in DIR/pids, each only if its
# command line is still one of ours), stop its Ceph, remove the /etc/ceph keyring link and
# DIR. Default DIR: /tmp/cinderlab-reference.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${1:-/tmp/cinderlab-reference}
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
RBD_USER=cinderlab-reference
say() { printf 'reference-down: %s\n' "$*" >&2; }
[ -d "$DIR" ] || { say "$DIR does not exist; nothing to do"; exit 0; }
[ -f "$DIR/.cinderlab-reference" ] || { say "$DIR was not made by up.sh; refusing"; exit 1; }
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q -e "$DIR" -e "epmd -port ${REFERENCE_EPMD_PORT:-14379}"; }
STOPPED=()
if [ -f "$DIR/rabbit/env" ]; then ( . "$DIR/rabbit/env"; timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl stop >/dev/null 2>&1 ) || true; fi
while read -r name pid; do
  [ -n "${pid:-}" ] && ours "$pid" || continue
  # cinder services run under setsid: their process group carries the forked workers
  if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then kill -TERM -- "-$pid" 2>/dev/null; else kill -TERM "$pid" 2>/dev/null; fi
  STOPPED+=("$name:$pid")
done < <(tac "$DIR/pids" 2>/dev/null)
for i in $(seq 40); do
  alive=0; for e in "${STOPPED[@]}"; do ours "${e#*:}" && alive=1; done
  [ $alive = 0 ] && break; sleep 0.5
done
for e in "${STOPPED[@]}"; do
  p=${e#*:}
  if ours "$p"; then say "${e%%:*} (pid $p) ignored TERM; KILL"
    if [ "$(ps -o pgid= -p "$p" | tr -d ' ')" = "$p" ]; then kill -KILL -- "-$p" 2>/dev/null; else kill -KILL "$p" 2>/dev/null; fi
  fi
done
[ -d "$DIR/ceph" ] && "$ROOT/scripts/ceph/local-down.sh" "$DIR/ceph" >&2
L=/etc/ceph/ceph.client.$RBD_USER.keyring
[ -L "$L" ] && case "$(readlink "$L")" in "$DIR"/*) rm -f "$L" ;; esac
rm -rf "$DIR"
say "stopped ${#STOPPED[@]} process(es); removed $DIR"
