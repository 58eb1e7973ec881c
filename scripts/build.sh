#!/usr/bin/env bash
# Builds the npm package into pkg/: Node (CommonJS + ESM entry, one wasm instance) and browsers
# (ES module that initialises itself), then prints the gzip size of the browser build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

cargo build --release --lib --target wasm32-unknown-unknown
WASM=target/wasm32-unknown-unknown/release/kis_wasm.wasm
rm -rf pkg
mkdir -p pkg/node pkg/web
# -Os came out smaller than -Oz on this module (binaryen 132); the custom sections are for tools.
# Flattening and re-looping the control flow first, then -Os twice, takes 0.3 KB more off the
# gzip size at no measured cost in speed (rustc's async state machines are deep nests of
# blocks). One module serves both entries.
wasm-opt --flatten --rereloop -Os -Os --strip-debug --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$WASM" -o pkg/web/kis_wasm.wasm
cp pkg/web/kis_wasm.wasm pkg/node/kis_wasm.wasm
node scripts/assemble.mjs
# Tests and tools import the built package by its name.
ln -sfn ../pkg node_modules/kis-wasm
# The dashboard, type-checked against the package's own .d.ts.
rm -rf www/app
tsc -p www
