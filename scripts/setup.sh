#!/usr/bin/env bash
# Sets up a fresh machine for hudkit: pnpm (pinned by packageManager), dependencies, and a build;
# with --with-docker also a Docker engine and the base image (scripts/docker-setup.sh, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != 10.* ]]; then
  echo "setup: installing pnpm 10"
  npm install -g pnpm@10.34.8 >/dev/null
fi
pnpm install --frozen-lockfile
pnpm build
# The tests run containers on a real engine: --with-docker installs and starts one, and builds the
# local base image the env images start FROM (no registry is needed).
if [[ "${1:-}" == "--with-docker" ]]; then
  bash scripts/docker-setup.sh
fi
