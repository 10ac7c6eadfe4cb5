#!/usr/bin/env bash
# Set up Bastion on a fresh Debian/Ubuntu machine: system tools, npm dependencies (from the
# lockfile), the build, and a default config serving ./workspace. Safe to run again.
# Usage: scripts/setup.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

# bubblewrap: the shell sandbox; ripgrep: content search; gcc (with libc6-dev): builds the
# sandbox launcher, native/launcher.c; procps and util-linux: process and mount tools.
APT_PACKAGES=(bubblewrap ripgrep procps util-linux gcc libc6-dev)
# `--with-test-tools` (the README's test command, CI) adds what only the tests use: python3 plays
# the attacker, chromium runs the dashboard tests headless (playwright-core, never a downloaded
# browser), openssl makes the hub's throw-away TLS certificate.
if [ "${1:-}" = "--with-test-tools" ]; then
  APT_PACKAGES+=(python3 chromium openssl)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "setup: please install: ${missing[*]} (apt-get install -y ${missing[*]})" >&2; exit 1
  fi
  echo "setup: installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The benchmark anchor Desktop Commander depends on puppeteer; .puppeteerrc.cjs also says so.
export PUPPETEER_SKIP_DOWNLOAD=1
# npm ci reinstalls from scratch; skip it when node_modules already matches the lockfile.
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "setup: npm dependencies already match package-lock.json"
else
  npm ci --no-audit --no-fund
fi
npm run build
npm run build:native
node dist/cli/main.js init
