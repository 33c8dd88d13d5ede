#!/usr/bin/env bash
# Brings a fresh machine (Node 20 + npm only) to what the project needs: pnpm and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "Installing pnpm $PNPM_VERSION with npm (corepack is not used)"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit
fi
pnpm install --frozen-lockfile
