#!/usr/bin/env bash
# Sets up a fresh machine for hudkit: pnpm (pinned by packageManager), dependencies, and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != 10.* ]]; then
  echo "setup: installing pnpm 10"
  npm install -g pnpm@10.34.8 >/dev/null
fi
pnpm install --frozen-lockfile
pnpm build
