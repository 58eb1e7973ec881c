#!/usr/bin/env bash
# Installs what the build and tests need when it is missing; safe to run again. Every tool the
# project uses is installed here, so a fresh machine needs nothing done by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen's CLI must be the version Cargo.lock pins for the crate, or its output does not
# match the module. A debug build installs in about 2 minutes rather than 5 and writes the same
# JS. No --locked: its lockfile pins crates the registry mirror may not serve yet.
WBG=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"/\1/p}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WBG" ]; then
  cargo install wasm-bindgen-cli --version "=$WBG" --debug --force
fi
# wasm-pack drives the build; it finds that wasm-bindgen on PATH and downloads nothing.
if ! command -v wasm-pack >/dev/null; then
  cargo install wasm-pack --version 0.15.1 --locked
fi

# npm dev dependencies: binaryen's wasm-opt (the version pinned in package-lock.json, not
# whatever Debian ships, which breaks wasm-bindgen's output), esbuild to minify the browser
# entry, TypeScript for the type tests, playwright-core to drive Chromium.
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
