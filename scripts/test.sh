#!/usr/bin/env bash
# Every check, from a fresh machine: tools, lint and format, type checks, unit + integration tests (real Azurite),
# browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
bash scripts/ensure-chromium.sh
pnpm lint
pnpm typecheck
pnpm test
