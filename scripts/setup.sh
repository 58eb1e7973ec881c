#!/usr/bin/env bash
# Installs what the build and tests need when it is missing; safe to run again. Every tool the
# project uses is installed here, so a fresh machine needs nothing done by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# npm dev dependencies: binaryen's wasm-opt (the version pinned in package-lock.json, not
# whatever Debian ships), esbuild to minify the browser glue, TypeScript for the type tests.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

# Headless Chromium for the dashboard's end-to-end tests (Debian's, driven by npm playwright-core:
# a test tool's own browser download cannot work here), and a Korean font for its screenshots.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi nanum || need+=(fonts-nanum)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
