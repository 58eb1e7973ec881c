#!/usr/bin/env bash
# The Node package again, built with the `panic-probe` feature (its fetch panics on a URL with
# /panic-probe in it) into target/probe/node/, for test/node/trap.test.mjs. Never shipped; run
# by the test command after scripts/build.sh, whose pkg/node/ entries it reuses.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

out=target/probe/node
rm -rf "$out"
mkdir -p "$out"
build() { cargo build --quiet --lib --release --target wasm32-unknown-unknown "$@"; }
build --features panic-probe
wasm-bindgen --target nodejs --weak-refs --out-dir "$out" --out-name kis_wasm \
  target/wasm32-unknown-unknown/release/kis_wasm.wasm
cp pkg/node/index.cjs pkg/node/shared.cjs pkg/node/package.json "$out/"
# The shipped build back in place (a relink), for twiggy and whoever looks there next.
build
