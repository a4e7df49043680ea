#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/test_*_browser.py). The extension test needs no
# X server: Chromium's new headless mode loads unpacked extensions (checked with Chromium 156; the old headless
# mode, which could not, left the chromium binary in version 132).
# Idempotent: does nothing when a `chromium` binary is already on PATH.
# Playwright's own browser download is not used: it needs network access the
# build machines do not have; Playwright drives the system Chromium instead.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "chromium already installed: $(command -v chromium)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
echo "installed: $(command -v chromium)"
