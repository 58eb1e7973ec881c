#!/usr/bin/env bash
# Builds the npm package into pkg/ with wasm-pack: the nodejs target (CommonJS, read
# synchronously, with an ESM entry over it: one wasm instance for import and require) and the
# web target (an ES module that initialises itself), joined by pkg-templates/; then prints the
# gzip size of the browser build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# Panic messages carry the paths of the sources, the registry's under this machine's cargo home:
# remapped, the package is the same built from any home, and names nothing of the builder's.
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/="

rm -rf pkg
# --weak-refs: a client the caller drops is freed by the garbage collector.
for target in nodejs web; do
  dir=$([ "$target" = nodejs ] && echo node || echo web)
  wasm-pack --quiet build --release --target "$target" --out-dir "pkg/$dir" --out-name kis_wasm \
    --no-pack --no-gitignore --weak-refs
  # npm binaryen's wasm-opt (wasm-pack's own download cannot work here, and Debian's breaks
  # wasm-bindgen's output).
  wasm-opt -Os --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "pkg/$dir/kis_wasm_bg.wasm" -o "pkg/$dir/kis_wasm_bg.wasm"
done
node scripts/assemble.mjs
# Tests and tools import the built package by its name.
ln -sfn ../pkg node_modules/kis-wasm
# The dashboard, type-checked against the package's own .d.ts.
rm -rf www/app
tsc -p www
# What the catalogue adds, printed beside the size.
bash scripts/size-catalogue.sh
# The build is whole: scripts/demo.sh starts at once while nothing it is made from is newer.
touch pkg/.built
