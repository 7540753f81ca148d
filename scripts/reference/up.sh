#!/usr/bin/env bash
# up.sh [DIR] — start the reference: REAL OpenStack Cinder 21.3.1 (Debian bookworm, Zed)
# deployments A and B (cinder-api, -scheduler, -volume, -backup each; sqlite; noauth) on a
# real throwaway Ceph 16.2 (scripts/ceph/local-up.sh) with ONE backup pool shared by both,
# and a private RabbitMQ (vhosts a and b). No systemd: every daemon is a plain process whose
# PID goes to DIR/pids; down.sh DIR stops exactly those. Installs Debian's packages when
# missing (apt, no recommends). Default DIR: /tmp/cinderlab-reference.
#
# stdout: one line, the path of DIR/env (CINDER_A_URL, CINDER_B_URL, CEPH_CONF, BACKUP_POOL,
# versions); progress on stderr. Ports: REFERENCE_PORT_A (28776), REFERENCE_PORT_B (28777),
# RabbitMQ REFERENCE_RABBIT_PORT (35682, epmd 14379).
#
# Machine facts this relies on (learnt from /work/shared/recipes/cinder):
#  - os-brick's RBD connector reads /etc/ceph/ceph.client.<rbd_user>.keyring whatever ceph.conf
#    says; without it the first backup fails "An unknown exception occurred." So a dedicated
#    cephx user gets that one link (removed by down.sh).
#  - the RBD driver's pool stats use `ceph df`, served by ceph-mgr: the Ceph runs with a mgr.
#  - background daemons must not inherit the caller's stdout, or `$(up.sh)` never returns.
#  - Debian's postinst scripts try to start services; a policy-rc.d that exits 101 stops that.
set -euo pipefail
exec 3>&1 1>&2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${1:-/tmp/cinderlab-reference}
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
PORT_A=${REFERENCE_PORT_A:-28776}
PORT_B=${REFERENCE_PORT_B:-28777}
RPORT=${REFERENCE_RABBIT_PORT:-35682}
EPMD=${REFERENCE_EPMD_PORT:-14379}
BACKUP_POOL=${REFERENCE_BACKUP_POOL:-backups}
RBD_USER=cinderlab-reference
MARKER=.cinderlab-reference
T0=$(date +%s)
say() { printf 'reference-up %(%H:%M:%S)T: %s\n' -1 "$*" >&2; }
fail() { say "error: $*"; say "stop what was started with: $HERE/down.sh $DIR"; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root (apt, /etc/ceph link, RabbitMQ)"

# ---- packages
if ! command -v cinder-api >/dev/null || ! command -v cinder-backup >/dev/null || ! command -v rabbitmq-server >/dev/null || ! command -v jq >/dev/null; then
  say "installing Debian packages (cinder-*, rabbitmq-server)"
  export DEBIAN_FRONTEND=noninteractive
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  PKGS="cinder-api cinder-scheduler cinder-volume cinder-backup rabbitmq-server python3-rbd python3-rados jq uuid-runtime ceph-mon ceph-osd ceph-mgr ceph-common"
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $PKGS >"/tmp/cinderlab-reference-apt.log" 2>&1 || {
    apt-get -o DPkg::Lock::Timeout=600 update >>"/tmp/cinderlab-reference-apt.log" 2>&1
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $PKGS >>"/tmp/cinderlab-reference-apt.log" 2>&1 \
      || fail "apt-get install failed; see /tmp/cinderlab-reference-apt.log"; }
  say "installed in $(( $(date +%s) - T0 ))s"
fi

# ---- a previous run must be stopped first
if [ -e "$DIR" ]; then
  [ -f "$DIR/$MARKER" ] || fail "$DIR exists and was not made by up.sh; refusing to touch it"
  if [ -s "$DIR/pids" ]; then
    while read -r _ pid; do
      [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "$DIR" && fail "pid $pid of a reference in $DIR still runs"
    done < "$DIR/pids"
  fi
  rm -rf "$DIR"
fi
mkdir -p "$DIR"; touch "$DIR/$MARKER"; : > "$DIR/pids"

# ---- Ceph (mgr on: cinder-volume's stats need `ceph df`)
CEPH_CONF=$(CEPH_POOLS="volumes-a volumes-b $BACKUP_POOL" CEPH_MGR=1 CEPH_CLIENTS="$RBD_USER" CEPH_OSD_BYTES=8G \
  "$ROOT/scripts/ceph/local-up.sh" "$DIR/ceph" 3>&-) || fail "Ceph did not come up"
export CEPH_CONF
mkdir -p /etc/ceph
ln -sfn "$DIR/ceph/ceph.client.$RBD_USER.keyring" "/etc/ceph/ceph.client.$RBD_USER.keyring"
say "Ceph up ($CEPH_CONF) after $(( $(date +%s) - T0 ))s"

# ---- RabbitMQ: private epmd port and node name, loopback only
RD=$DIR/rabbit; mkdir -p "$RD"/{home,mnesia,log}
cat > "$RD/env" <<ENV
export HOME=$RD/home
export ERL_EPMD_PORT=$EPMD
export RABBITMQ_NODENAME=cinderlab-reference@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$RPORT
export RABBITMQ_DIST_PORT=$((RPORT+1))
export RABBITMQ_MNESIA_BASE=$RD/mnesia
export RABBITMQ_LOG_BASE=$RD/log
export RABBITMQ_CONFIG_FILE=$RD/rabbitmq
export RABBITMQ_ADVANCED_CONFIG_FILE=$RD/advanced.config
export RABBITMQ_ENABLED_PLUGINS_FILE=$RD/enabled_plugins
export RABBITMQ_CONF_ENV_FILE=$RD/rabbitmq-env.conf
export RABBITMQ_PID_FILE=$RD/rabbit.pid
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_DIST_PORT_MIN=$((RPORT+2))
export RABBITMQ_CTL_DIST_PORT_MAX=$((RPORT+12))
ENV
echo '[].' > "$RD/enabled_plugins"; echo '[].' > "$RD/advanced.config"; : > "$RD/rabbitmq-env.conf"
cat > "$RD/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RPORT
loopback_users = none
disk_free_limit.absolute = 50MB
vm_memory_high_watermark.relative = 0.2
CONF
head -c 24 /dev/urandom | base64 | tr -dc A-Z | head -c 20 > "$RD/home/.erlang.cookie"
chmod 400 "$RD/home/.erlang.cookie"
(
  . "$RD/env"
  epmd -port "$EPMD" -address 127.0.0.1 </dev/null >/dev/null 2>&1 3>&- &
  echo "epmd $!" >> "$DIR/pids"
  /usr/lib/rabbitmq/bin/rabbitmq-server >"$RD/log/stdout.log" 2>&1 </dev/null 3>&- &
  echo "rabbitmq-server $!" >> "$DIR/pids"
  /usr/lib/rabbitmq/bin/rabbitmqctl wait --timeout 120 "$RD/rabbit.pid" >/dev/null || exit 1
  echo "beam.smp $(cat "$RD/rabbit.pid")" >> "$DIR/pids"
  CTL=/usr/lib/rabbitmq/bin/rabbitmqctl
  $CTL add_user cinder cinder >/dev/null
  for v in a b; do $CTL add_vhost "$v" >/dev/null; $CTL set_permissions -p "$v" cinder '.*' '.*' '.*' >/dev/null; done
) || fail "RabbitMQ did not come up; see $RD/log"
say "RabbitMQ up on 127.0.0.1:$RPORT after $(( $(date +%s) - T0 ))s"

# ---- Cinder A and B
start_cinder() {  # start_cinder NAME PORT
  local name=$1 port=$2 d=$DIR/cinder-$1
  mkdir -p "$d"/{state,lock,log,coord}
  sed -e "s|@DIR@|$d|g" -e "s|@NAME@|$name|g" -e "s|@PORT@|$port|g" -e "s|@POOL@|volumes-$name|g" \
      -e "s|@BACKUP_POOL@|$BACKUP_POOL|g" -e "s|@CEPH_CONF@|$CEPH_CONF|g" -e "s|@RBD_USER@|$RBD_USER|g" \
      -e "s|@TRANSPORT@|rabbit://cinder:cinder@127.0.0.1:$RPORT/$name|g" "$HERE/cinder.conf.tmpl" > "$d/cinder.conf"
  cinder-manage --config-file "$d/cinder.conf" db sync >"$d/log/db-sync.log" 2>&1 || { cat "$d/log/db-sync.log"; fail "db sync for $name"; }
  # the scheduler last: at its start it asks every volume and backup service for their
  # capabilities, and a backup service already set up answers "backend_state: True"
  for svc in cinder-api cinder-volume cinder-backup cinder-scheduler; do
    # own process group: cinder-volume forks a worker per backend, down.sh signals the group
    setsid "/usr/bin/$svc" --config-file "$d/cinder.conf" >"$d/log/$svc.stdout" 2>&1 </dev/null 3>&- &
    echo "$svc-$name $!" >> "$DIR/pids"
  done
}
start_cinder a "$PORT_A"
start_cinder b "$PORT_B"

# Cinder routes /v3/<project>/... only when the project id matches project_id_regex (hex)
PROBE_PROJECT=00000000000000000000000000000000
services_up() {  # services_up PORT -> the number of RPC services reporting "up"
  curl -fs "http://127.0.0.1:$1/v3/$PROBE_PROJECT/os-services" -H "X-Auth-Token: admin:$PROBE_PROJECT" 2>/dev/null \
    | jq '[.services[] | select(.state == "up")] | length' 2>/dev/null || echo 0
}
# "up" is not enough: until cinder-volume's first stats report reaches the scheduler (it can
# take a periodic interval, ~60 s) every volume create fails "No valid backend was found"
pools_known() {  # pools_known PORT -> the number of backend pools the scheduler knows
  curl -fs "http://127.0.0.1:$1/v3/$PROBE_PROJECT/scheduler-stats/get_pools" -H "X-Auth-Token: admin:$PROBE_PROJECT" 2>/dev/null \
    | jq '.pools | length' 2>/dev/null || echo 0
}
# Nor for backups: the scheduler picks a backup host only among the backup services whose
# last capabilities report said "backend_state: True"; one sent before cinder-backup's driver
# was set up (or before the scheduler listened) leaves every backup-create failing "Service
# not found for creating backup" until the next report, up to a minute later. The scheduler
# logs each report it takes (debug = true).
backup_known() {  # backup_known NAME -> true once NAME's scheduler knows a working backup service
  grep -q "Received backup service update from reference-$1: .*'backend_state': True" \
    "$DIR/cinder-$1/log/cinder-scheduler.log" 2>/dev/null
}
for i in $(seq 480); do
  na=$(services_up "$PORT_A"); nb=$(services_up "$PORT_B")
  [ "$na" -ge 3 ] && [ "$nb" -ge 3 ] && [ "$(pools_known "$PORT_A")" -ge 1 ] && [ "$(pools_known "$PORT_B")" -ge 1 ] \
    && backup_known a && backup_known b && break
  while read -r n pid; do
    case "$n" in cinder-*) [ -d "/proc/$pid" ] || { tail -n 20 "$DIR"/cinder-*/log/*.log; fail "$n (pid $pid) died"; } ;; esac
  done < "$DIR/pids"
  [ "$i" = 480 ] && fail "services not up, or no backend pool or working backup service reported to the scheduler, after 240 s (a: $na/3 up, b: $nb/3 up)"
  sleep 0.5
done
CINDER_VERSION=$(dpkg-query -W -f '${Version}' cinder-common 2>/dev/null || echo unknown)
CEPH_VERSION=$(dpkg-query -W -f '${Version}' ceph-common 2>/dev/null || echo unknown)
cat > "$DIR/env" <<ENV
CINDER_A_URL=http://127.0.0.1:$PORT_A
CINDER_B_URL=http://127.0.0.1:$PORT_B
CEPH_CONF=$CEPH_CONF
BACKUP_POOL=$BACKUP_POOL
CINDER_VERSION=$CINDER_VERSION
CEPH_VERSION=$CEPH_VERSION
ENV
say "reference up in $(( $(date +%s) - T0 ))s: A http://127.0.0.1:$PORT_A B http://127.0.0.1:$PORT_B (cinder $CINDER_VERSION, ceph $CEPH_VERSION)"
echo "$DIR/env" >&3
