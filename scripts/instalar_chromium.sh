#!/usr/bin/env bash
# Install Debian's Chromium and its WebDriver for the end-to-end tests (tests/e2e), if missing.
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver are already there.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "== Instalando chromium y chromium-driver (pruebas de extremo a extremo)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
