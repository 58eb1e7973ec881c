#!/usr/bin/env bash
# Prints what the catalogue (the endpoint table of 275 APIs and the generic call path) adds to the
# browser build, gzip -9: the wasm as scripts/build.sh makes it, against the same built with the
# `no-catalogue` feature (no table, `call()` refused). Issue 19's budget is 15 KB. Run by
# scripts/build.sh after the package is built.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
probe=target/size-probe
cargo build --quiet --release --lib --target wasm32-unknown-unknown --features no-catalogue --target-dir "$probe"
rm -rf "$probe/pkg"
wasm-bindgen --target web --weak-refs --out-dir "$probe/pkg" "$probe/wasm32-unknown-unknown/release/kis_wasm.wasm"
wasm-opt -Os --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$probe/pkg/kis_wasm_bg.wasm" -o "$probe/pkg/kis_wasm_bg.wasm"
with=$(gzip -9c pkg/web/kis_wasm_bg.wasm | wc -c)
without=$(gzip -9c "$probe/pkg/kis_wasm_bg.wasm" | wc -c)
echo "  the catalogue (endpoint table and call()) adds $((with - without)) B gzip of wasm (issue 19's budget: 15360 B)"
