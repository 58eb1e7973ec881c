#!/usr/bin/env bash
# Every test of the project. Installs what is missing first (scripts/setup.sh via build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "build the package (installs the toolchain when missing)"
bash scripts/build.sh

step "size budget of the browser build"
node scripts/size-budget.mjs

step "format and lints"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings

step "native Rust tests: protocol and every behaviour rule (fake transport, virtual clock)"
cargo test

step "TypeScript: strict use of the package's .d.ts, misuse rejected"
tsc -p test/types

step "dashboard end to end in headless Chromium (screenshot in test-results/)"
node --test test/e2e/

step "Node tests: the built package (ESM, CJS, fake fetch), kis-mock and kis-cors-proxy on 127.0.0.1"
node --test test/node/
