#!/usr/bin/env bash
# Installs the Debian packages the test tiers need (real Ceph 16.2 for the rbd
# compatibility tests, the real cinder/openstack clients and tempest's schemas for
# fake-cinder's client tests, chromium for the lab's live view, and wrk, the load
# generator fake-cinder's bench prefers: autocannon shares the 2 cores it measures). Idempotent: does nothing when all are present.
# Needs root (CI and the project's machines run as root).
set -euo pipefail
PKGS=(ceph-mon ceph-osd ceph-mgr ceph-common python3-rados python3-rbd uuid-runtime
      python3-cinderclient python3-openstackclient python3-tempest chromium wrk)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ -z "${CINDERLAB_APT_UPDATED:-}" ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
fi
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
