#!/bin/sh
# Installs Debian's Chromium (package `chromium`, /usr/bin/chromium), the browser the report tests
# drive through playwright-core: `sh scripts/install-chromium.sh`. Does nothing when it is there.
#
# The browser comes from the machine's Debian archive, never from a browser download: the tests
# run where only the npm registry and Debian's packages are reachable. Needs root (or sudo without
# a password); waits up to two minutes for another apt or dpkg run to finish.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=sudo
else
  echo "scripts/install-chromium.sh: installing the chromium package needs root or sudo without a password" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/install-chromium.sh: no apt-get here; install Chromium as /usr/bin/chromium by hand" >&2
  exit 1
fi
echo "Installing Debian's chromium package (apt-get install -y chromium)" >&2
lock="-o DPkg::Lock::Timeout=120"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get $lock update -qq >&2
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get $lock install -y -qq chromium >&2
if [ ! -x /usr/bin/chromium ]; then
  echo "scripts/install-chromium.sh: apt-get installed chromium but /usr/bin/chromium is missing" >&2
  exit 1
fi
