#!/usr/bin/env bash
# Runs the app from a fresh machine: installs what it needs, then Azurite + API + the built web app on one URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
exec pnpm start
