#!/usr/bin/env bash
# Playwright cannot download browsers here: use Debian's Chromium, installing it when missing and possible.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "No /usr/bin/chromium and no root+apt: Playwright will use its own browser if installed (npx playwright install chromium)."
fi
