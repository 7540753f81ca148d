#!/usr/bin/env bash
# local-up.sh DIR — start cinderlab's throwaway single-node Ceph 16.2 (Pacific) from the
# locally installed Debian packages: one monitor, an optional manager and one memstore OSD,
# all on 127.0.0.1 with cephx on, every file under DIR. No systemd: daemons are plain
# processes whose PIDs go to DIR/pids, and local-down.sh DIR stops exactly those.
#
# Used by the rbd compatibility tests (packages/fake-rbd/test/live*.test.ts), the fixture
# recorder (packages/fake-rbd/scripts/record-real-rbd.sh) and the e2e "local" provider.
#
# Environment:
#   CEPH_POOLS="rbd"     space-separated pools to create and `rbd pool init`
#   CEPH_MGR=0           1 also starts ceph-mgr (only needed for `ceph -s` pool stats and
#                        mgr-backed commands; rbd data paths work without it)
#   CEPH_OSD_BYTES=4G    memstore capacity the OSD reports (RAM is used only for data written)
#   CEPH_CLIENTS=""      extra cephx users with `profile rbd` caps (keyring DIR/ceph.client.NAME.keyring)
#   CEPH_OWNER_PID=""    stop the cluster by itself when this process exits (tests pass their
#                        own PID, so a killed test run leaves no daemons behind)
#
# stdout: exactly one line, the ceph.conf path (everything else goes to stderr), so a caller
# can do CONF=$(local-up.sh /tmp/x). DIR/env holds CEPH_CONF=... and the pool list.
#
# Machine facts this relies on (Debian 12 packages, no systemd):
#  - daemons fork into the background; their inherited stdout must not be the caller's pipe,
#    or `$(local-up.sh ...)` never sees EOF — so they get /dev/null and a log file instead;
#  - `osd pool default size = 1` plus `mon allow pool size one` or pools stay undersized;
#  - the autoscaler is turned off and pg num kept tiny: creating PGs is most of the wait;
#  - `rbd pool init` waits until PGs are active, so it is the readiness barrier;
#  - the monitor batches map changes for a second by default (paxos propose interval), and
#    bring-up is a chain of them: a 0.1 s interval saves about 3 s.
set -euo pipefail

DIR=${1:?usage: local-up.sh DIR}
POOLS=${CEPH_POOLS:-rbd}
WITH_MGR=${CEPH_MGR:-0}
OSD_BYTES=${CEPH_OSD_BYTES:-4G}
CLIENTS=${CEPH_CLIENTS:-}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
MARKER=.cinderlab-ceph

say() { printf 'local-up: %s\n' "$*" >&2; }
# fail MESSAGE: report, show the daemons' last log lines (DIR is about to go), stop them, exit 1
fail() {
  trap - ERR
  say "error: $*"
  if [ -f "${DIR:-/nonexistent}/pids" ]; then
    for log in "$DIR"/log/*.log "$DIR"/log/*.out "$DIR"/log/*.mkfs; do
      [ -s "$log" ] && { echo "--- last lines of $(basename "$log")"; tail -n 15 "$log"; } >&2
    done
    "$HERE/local-down.sh" "$DIR" >&2 || true
  fi
  exit 1
}

case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
# any unexpected failure: say where, and stop whatever was already started
trap 'fail "unexpected failure at line $LINENO"' ERR
[ "$DIR" != / ] || fail "refusing DIR=/"
for bin in ceph-mon ceph-osd ceph rbd monmaptool ceph-authtool; do
  command -v "$bin" >/dev/null 2>&1 || { say "error: $bin not found (install: ceph-mon ceph-osd ceph-common)"; exit 3; }
done
if [ "$WITH_MGR" = 1 ] && ! command -v ceph-mgr >/dev/null 2>&1; then
  say "error: ceph-mgr not found (install ceph-mgr or set CEPH_MGR=0)"; exit 3
fi
if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
  [ -f "$DIR/$MARKER" ] || { say "error: $DIR exists and is not a cinderlab ceph dir"; exit 1; }
  [ ! -s "$DIR/pids" ] || { say "error: $DIR still has daemons recorded; run local-down.sh $DIR"; exit 1; }
  rm -rf "$DIR"
fi
mkdir -p "$DIR/run" "$DIR/log"
touch "$DIR/$MARKER"
: >"$DIR/pids"
started=$(date +%s%N)

# Two free loopback ports for the monitor (msgr2 and legacy v1). The race between picking
# and binding is tiny and a failed bind makes ceph-mon exit, which we report.
read -r PORT2 PORT1 < <($PY -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
FSID=$($PY -c 'import uuid; print(uuid.uuid4())')
MON_ADDR="[v2:127.0.0.1:$PORT2,v1:127.0.0.1:$PORT1]"
CONF=$DIR/ceph.conf

{
  echo "# cinderlab throwaway cluster; made by scripts/ceph/local-up.sh, removed by local-down.sh"
  echo "[global]"
  echo "fsid = $FSID"
  echo "mon host = $MON_ADDR"
  echo "mon initial members = a"
  for k in cluster service client; do echo "auth $k required = cephx"; done
  echo "auth allow insecure global id reclaim = false"
  echo "ms bind ipv6 = false"
  echo "run dir = $DIR/run"
  echo "osd pool default size = 1"
  echo "osd pool default min size = 1"
  echo "osd pool default pg num = 8"
  echo "osd pool default pgp num = 8"
  echo "osd pool default pg autoscale mode = off"
  echo "osd crush chooseleaf type = 0"
  echo "mon allow pool size one = true"
  echo "mon allow pool delete = true"
  echo "mon warn on pool no redundancy = false"
  echo "mon data avail warn = 1"
  echo "mon data avail crit = 0"
  echo "mon cluster log file = $DIR/log/cluster.log"
  echo
  echo "[mon]"
  echo "log file = $DIR/log/\$name.log"
  echo "admin socket = $DIR/run/\$name.asok"
  echo "pid file = $DIR/run/\$name.pid"
  echo "mon data = $DIR/\$name"
  # commit map changes at once instead of batching them for a second: the OSD's boot, the
  # pools and their PGs each wait on a commit, which makes bring-up ~3 s faster
  echo "paxos propose interval = 0.1"
  echo "paxos min wait = 0.01"
  echo "keyring = $DIR/\$name/keyring"
  echo
  echo "[mgr]"
  echo "log file = $DIR/log/\$name.log"
  echo "admin socket = $DIR/run/\$name.asok"
  echo "pid file = $DIR/run/\$name.pid"
  echo "mgr data = $DIR/\$name"
  echo "keyring = $DIR/\$name/keyring"
  echo "public addr = 127.0.0.1"
  echo
  echo "[osd]"
  echo "log file = $DIR/log/\$name.log"
  echo "admin socket = $DIR/run/\$name.asok"
  echo "pid file = $DIR/run/\$name.pid"
  echo "osd data = $DIR/\$name"
  echo "keyring = $DIR/\$name/keyring"
  echo "public addr = 127.0.0.1"
  echo "cluster addr = 127.0.0.1"
  echo "osd objectstore = memstore"
  echo "memstore device bytes = $(numfmt --from=iec "$OSD_BYTES")"
  echo
  echo "[client]"
  echo "keyring = $DIR/\$cluster.\$name.keyring"
  echo "log file = /dev/null"
} >"$CONF"

ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring "$DIR/ceph.client.admin.keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$DIR/mon.keyring" --import-keyring "$DIR/ceph.client.admin.keyring" >/dev/null
chmod 600 "$DIR"/*.keyring

# daemon NAME ARGS...: start a self-forking ceph daemon detached from our stdout, then
# record the PID it writes to its pid file.
daemon() {
  local name=$1; shift
  "$@" -c "$CONF" </dev/null >>"$DIR/log/$name.out" 2>&1 || { cat "$DIR/log/$name.out" >&2; fail "$name did not start"; }
  local pidfile=$DIR/run/$name.pid
  for _ in $(seq 100); do [ -s "$pidfile" ] && break; sleep 0.05; done
  [ -s "$pidfile" ] || fail "$name wrote no pid file"
  echo "$name $(cat "$pidfile")" >>"$DIR/pids"
}
C() { timeout 60 ceph -c "$CONF" "$@"; }

monmaptool --create --fsid "$FSID" --addv a "$MON_ADDR" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" </dev/null >"$DIR/log/mon.a.mkfs" 2>&1 \
  || { cat "$DIR/log/mon.a.mkfs" >&2; fail "ceph-mon --mkfs failed"; }
daemon mon.a ceph-mon -i a

if [ "$WITH_MGR" = 1 ]; then
  mkdir -p "$DIR/mgr.x"
  C auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$DIR/mgr.x/keyring" 2>/dev/null
  daemon mgr.x ceph-mgr -i x
fi

OSD_UUID=$($PY -c 'import uuid; print(uuid.uuid4())')
OSD_KEY=$(ceph-authtool --gen-print-key)
OSD_ID=$(printf '{"cephx_secret": "%s"}' "$OSD_KEY" | C osd new "$OSD_UUID" -i - 2>/dev/null) || fail "ceph osd new failed"
# The pools need only the monitor: create them while the OSD is made and started (each
# `ceph` call costs about a second), so their PGs are waiting for it when it boots.
(for pool in $POOLS; do
  C osd pool create "$pool" 8 8 replicated >/dev/null 2>&1 || { echo "could not create pool $pool"; exit 1; }
done) >"$DIR/log/pools.out" 2>&1 </dev/null &
pools_job=$!
mkdir -p "$DIR/osd.$OSD_ID"
ceph-authtool --create-keyring "$DIR/osd.$OSD_ID/keyring" --name "osd.$OSD_ID" --add-key "$OSD_KEY" >/dev/null
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" </dev/null >"$DIR/log/osd.$OSD_ID.mkfs" 2>&1 \
  || { cat "$DIR/log/osd.$OSD_ID.mkfs" >&2; fail "ceph-osd --mkfs failed"; }
daemon "osd.$OSD_ID" ceph-osd -i "$OSD_ID"
wait "$pools_job" || fail "$(cat "$DIR/log/pools.out")"

# `rbd pool init` blocks until the pool's PGs are active (the OSD serves I/O): that is the
# readiness barrier, and the pools wait for it together.
inits=()
for pool in $POOLS; do
  timeout 120 rbd -c "$CONF" pool init "$pool" & inits+=("$!:$pool")
done
for job in "${inits[@]}"; do
  wait "${job%%:*}" || fail "rbd pool init ${job#*:} failed"
done
for user in $CLIENTS; do
  C auth get-or-create "client.$user" mon 'profile rbd' osd 'profile rbd' mgr 'profile rbd' \
    -o "$DIR/ceph.client.$user.keyring" 2>/dev/null
  chmod 600 "$DIR/ceph.client.$user.keyring"
done

# A test runner killed outright runs no cleanup: with CEPH_OWNER_PID, a detached watcher
# stops the cluster once that process is gone (and quits by itself when DIR is removed).
if [ -n "${CEPH_OWNER_PID:-}" ]; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
    [ ! -d "$2" ] || "$3" "$2"' local-up-watch "$CEPH_OWNER_PID" "$DIR" "$HERE/local-down.sh" \
    </dev/null >/dev/null 2>&1 &
fi

printf 'CEPH_CONF=%s\nCEPH_POOLS="%s"\n' "$CONF" "$POOLS" >"$DIR/env"
ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "$ms" >"$DIR/bringup_ms"
say "up in ${ms} ms: mon $MON_ADDR, osd.$OSD_ID (memstore), pools: $POOLS; stop with $HERE/local-down.sh $DIR"
echo "$CONF"
