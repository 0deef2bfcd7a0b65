#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (tests/Ledger.Console.Tests drive it with Playwright), and a
# Chinese font so the screenshots they save show the console's default language rather than empty boxes.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -d /usr/share/fonts/truetype/wqy ] || packages+=(fonts-wqy-microhei)
if [ ${#packages[@]} -gt 0 ]; then
  echo "browser: installing ${packages[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }
fi
/usr/bin/chromium --version
