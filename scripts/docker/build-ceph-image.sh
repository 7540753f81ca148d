#!/usr/bin/env bash
# build-ceph-image.sh — build the cinderlab/ceph:16.2 image the testcontainers provider of the
# real-Ceph tests starts, without any registry:
#   1. cinderlab/ceph-base:16.2 — Debian 12 minbase + Ceph 16.2 packages, made by debootstrap
#      from the mirror apt already uses on this machine, then `docker import`;
#   2. cinderlab/ceph:16.2 — packages/e2e/docker/Dockerfile on top (the entrypoint).
# Each image carries a label with the hash of what made it; a present image with the same
# hash is reused, so later runs on the same machine take about a second. Needs root and a
# Docker engine (scripts/docker/dockerd-up.sh). Timings go to stderr.
#
# Environment:
#   CEPH_IMAGE=cinderlab/ceph:16.2   tag of the final image
#   CEPH_IMAGE_REBUILD=1             rebuild even when the tags are present
#   DEBIAN_MIRROR=URL                override the mirror (default: from apt's own sources)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RECIPE=$ROOT/packages/e2e/docker
IMAGE=${CEPH_IMAGE:-cinderlab/ceph:16.2}
BASE=${CEPH_BASE_IMAGE:-cinderlab/ceph-base:16.2}
# python3-cffi-backend must be named: debootstrap does not resolve the virtual
# python3-cffi-backend-api-* packages that ceph-mgr's python dependencies need.
PACKAGES=python3,python3-cffi-backend,ceph-mon,ceph-osd,ceph-mgr,ceph-common,hostname
LABEL=org.cinderlab.recipe
say() { printf 'build-ceph-image: %s\n' "$*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
label_of() { docker image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

docker info >/dev/null 2>&1 || { say "error: no Docker engine answers (start one: scripts/docker/dockerd-up.sh)"; exit 1; }
. /etc/os-release
SUITE=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
base_hash=$(printf '%s %s\n' "$SUITE" "$PACKAGES" | sha256sum | cut -c1-16)
image_hash=$(cat "$RECIPE/Dockerfile" "$RECIPE/entrypoint.sh" <(echo "$base_hash") | sha256sum | cut -c1-16)

if [ "${CEPH_IMAGE_REBUILD:-0}" != 1 ] && [ "$(label_of "$IMAGE")" = "$image_hash" ]; then
  say "$IMAGE is present (recipe $image_hash); nothing to build"
  exit 0
fi

t0=$(now_ms)
if [ "${CEPH_IMAGE_REBUILD:-0}" = 1 ] || [ "$(label_of "$BASE")" != "$base_hash" ]; then
  [ "$(id -u)" = 0 ] || { say "error: debootstrap needs root"; exit 1; }
  if ! command -v debootstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    [ -n "${CINDERLAB_APT_UPDATED:-}" ] || apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  # The mirror apt itself uses for this release: no host is written into the project.
  MIRROR=${DEBIAN_MIRROR:-$(apt-get indextargets --format '$(SITE) $(CODENAME) $(TARGET_OF)' \
    | awk -v s="$SUITE" '$2 == s && $3 == "deb" {print $1; exit}')}
  [ -n "$MIRROR" ] || { say "error: apt has no source for $SUITE; set DEBIAN_MIRROR"; exit 1; }
  ROOTFS=$(mktemp -d /var/tmp/cinderlab-ceph-rootfs.XXXXXX)
  trap 'rm -rf "$ROOTFS"' EXIT
  say "debootstrap $SUITE from $MIRROR with $PACKAGES"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 \
    || { tail -20 "$ROOTFS/debootstrap/debootstrap.log" "$ROOTFS.log" >&2 || true; say "error: debootstrap failed"; exit 1; }
  chroot "$ROOTFS" apt-get clean
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS.log"
  t1=$(now_ms)
  say "debootstrap: $(( t1 - t0 )) ms ($(du -sh "$ROOTFS" | cut -f1))"
  version=$(chroot "$ROOTFS" dpkg-query -W -f='${Version}' ceph-common)
  tar -C "$ROOTFS" -c . | docker import --change "LABEL $LABEL=$base_hash" \
    --change "LABEL org.cinderlab.ceph-version=$version" - "$BASE" >/dev/null
  say "docker import $BASE (ceph $version): $(( $(now_ms) - t1 )) ms"
  rm -rf "$ROOTFS"
fi

t2=$(now_ms)
previous=$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# the legacy builder needs no buildx plugin and no registry for a local FROM
build_log=$(mktemp)
DOCKER_BUILDKIT=0 docker build --build-arg "BASE_IMAGE=$BASE" --label "$LABEL=$image_hash" \
  -t "$IMAGE" "$RECIPE" >"$build_log" 2>&1 || { cat "$build_log" >&2; rm -f "$build_log"; say "error: docker build failed"; exit 1; }
rm -f "$build_log"
# the image this one replaces would linger untagged; a container still using it keeps it
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
say "docker build $IMAGE: $(( $(now_ms) - t2 )) ms; total $(( $(now_ms) - t0 )) ms"
