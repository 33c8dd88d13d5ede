#!/usr/bin/env bash
# Every test, from a fresh machine: tools, type checks, unit + integration tests (real Azurite), browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
bash scripts/ensure-chromium.sh
pnpm -r typecheck
pnpm test
