#!/bin/bash
# Entrypoint of the cinderlab/ceph image: a single-node Ceph 16.2 (one monitor, an optional
# manager, one memstore OSD) on the container's own address, cephx on. The container is
# ready when health is HEALTH_OK, the manager is available and `rbd ls` works on every pool
# in CEPH_POOLS; the testcontainers module (packages/e2e/src/ceph/ceph-container.ts) waits on exactly that.
#
# Environment:
#   CEPH_POOLS="rbd"    pools to create and `rbd pool init`
#   CEPH_MGR=1          0 skips ceph-mgr (health then turns HEALTH_WARN after a while)
#   CEPH_OSD_BYTES=2G   memstore capacity (RAM is used only for data written)
#   CEPH_CLIENTS=""     extra cephx users with `profile rbd` caps, keyring in /etc/ceph
#   CEPH_MON_IP         address the monitor binds (default: the container's bridge address,
#                       which is also how clients on the docker host reach it)
#
# The daemons run in the foreground as children of this script, so a dead daemon ends the
# container and `docker stop` (SIGTERM) stops them at once instead of waiting out the grace.
set -euo pipefail
POOLS=${CEPH_POOLS:-rbd}
WITH_MGR=${CEPH_MGR:-1}
OSD_BYTES=${CEPH_OSD_BYTES:-2G}
IP=${CEPH_MON_IP:-$(hostname -i | awk '{print $1}')}
say() { printf '[cinderlab-ceph] %s\n' "$*"; }

children=()
stop() {
  say "stopping"
  # a throwaway memstore cluster has nothing to flush; SIGTERM costs ceph-osd seconds
  for pid in "${children[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait || true
  exit 0
}
trap stop TERM INT

FSID=$(cat /proc/sys/kernel/random/uuid)
mkdir -p /etc/ceph /var/lib/ceph/mon/ceph-a /var/lib/ceph/mgr/ceph-x /var/run/ceph /var/log/ceph
cat >/etc/ceph/ceph.conf <<CONF
[global]
fsid = $FSID
mon host = [v2:$IP:3300,v1:$IP:6789]
mon initial members = a
public addr = $IP
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
ms bind ipv6 = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = $(numfmt --from=iec "$OSD_BYTES")
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
log to stderr = false
CONF
ceph-authtool --create-keyring /tmp/mon.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring /etc/ceph/ceph.client.admin.keyring --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool /tmp/mon.keyring --import-keyring /etc/ceph/ceph.client.admin.keyring >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:$IP:3300,v1:$IP:6789]" /tmp/monmap >/dev/null
ceph-mon --mkfs -i a --monmap /tmp/monmap --keyring /tmp/mon.keyring
ceph-mon -f -i a & children+=($!)
say "mon.a on $IP (pid $!)"

C() { timeout 60 ceph "$@"; }
for _ in $(seq 120); do C -s >/dev/null 2>&1 && break; sleep 0.25; done
C -s >/dev/null

if [ "$WITH_MGR" = 1 ]; then
  C auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
    -o /var/lib/ceph/mgr/ceph-x/keyring
  ceph-mgr -f -i x & children+=($!)
  say "mgr.x (pid $!)"
fi

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_KEY=$(ceph-authtool --gen-print-key)
OSD_ID=$(printf '{"cephx_secret": "%s"}' "$OSD_KEY" | C osd new "$OSD_UUID" -i -)
mkdir -p "/var/lib/ceph/osd/ceph-$OSD_ID"
ceph-authtool --create-keyring "/var/lib/ceph/osd/ceph-$OSD_ID/keyring" --name "osd.$OSD_ID" --add-key "$OSD_KEY" >/dev/null
ceph-osd -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >/var/log/ceph/osd-mkfs.log 2>&1 \
  || { cat /var/log/ceph/osd-mkfs.log; exit 1; }
ceph-osd -f -i "$OSD_ID" & children+=($!)
say "osd.$OSD_ID (memstore, pid $!)"

# all pools first, so their PGs peer together; then `rbd pool init`, which blocks until a
# pool's PGs are active, i.e. until the OSD serves I/O
for pool in $POOLS; do C osd pool create "$pool" 8 8 replicated >/dev/null; done
for pool in $POOLS; do
  timeout 120 rbd pool init "$pool"
  say "pool $pool"
done
for user in ${CEPH_CLIENTS:-}; do
  C auth get-or-create "client.$user" mon 'profile rbd' osd 'profile rbd' mgr 'profile rbd' \
    -o "/etc/ceph/ceph.client.$user.keyring"
  say "client.$user"
done
# lets a readiness probe skip the costly `ceph health` (a Python start each time) while
# the daemons are still booting; readiness itself is HEALTH_OK plus a working `rbd ls`
touch /run/cinderlab-ceph-started
say "started; waiting for HEALTH_OK is the caller's job"

# wait -n returns when any daemon exits: the cluster is broken, so the container ends
set +e
wait -n "${children[@]}"
code=$?
say "a ceph daemon exited (status $code); stopping the rest"
for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null; done
wait
exit "$code"
