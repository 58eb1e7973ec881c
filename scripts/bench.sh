#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): writes bench/results.json and BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# The stack's own floor (bench/floor): the package's exchange (fetch, timer, stream reading) awaited
# from the wasm, without KIS.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo build --release --target wasm32-unknown-unknown --manifest-path bench/floor/Cargo.toml \
  --target-dir target/floor
wasm-bindgen --target nodejs --weak-refs --out-dir target/floor/pkg \
  target/floor/wasm32-unknown-unknown/release/kis_wasm_floor.wasm
wasm-opt -Os --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  target/floor/pkg/kis_wasm_floor_bg.wasm -o target/floor/pkg/kis_wasm_floor_bg.wasm
# The engine's instruction count (bench/run.mjs): its native build and valgrind.
cargo build --release --example get_price_work
if ! command -v valgrind >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
fi
node --expose-gc bench/run.mjs "$@"
