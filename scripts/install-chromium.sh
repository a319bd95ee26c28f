#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the browser tests (driven by playwright-core). Idempotent.
# Env: CHROMIUM_PATH (default /usr/bin/chromium) — if it already exists, nothing is done.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-chromium: $bin is missing; run as root or: sudo apt-get install -y chromium" >&2
	exit 1
fi
echo "install-chromium: installing Debian's chromium package (first time only)" >&2
# apt's own lock makes a concurrent run wait instead of failing.
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
test -x "$bin"
echo "install-chromium: done ($("$bin" --version 2>/dev/null || echo chromium))" >&2
