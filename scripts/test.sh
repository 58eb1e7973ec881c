#!/usr/bin/env bash
# Every test of the project. Installs what is missing first (scripts/setup.sh via build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

# Passing tests print nothing that looks like an error: a line a test's code wrote (TAP's "# "
# diagnostics, other than the runner's own) with "error" or "warn" in it means a client left on
# the console logger, or a real problem the tests did not catch.
quiet() {
  local noise
  noise=$(grep -E '^\s*# ' "$1" | grep -vE '^\s*# (Subtest: |tests |suites |pass |fail |cancelled |skipped |todo |duration_ms )' | grep -iE 'error|warn' || true)
  if [ -n "$noise" ]; then
    printf '%s\n' "$noise"
    echo "passing tests printed the error-looking lines above ($1)"
    return 1
  fi
}
mkdir -p test-results

step "build the package (installs the toolchain when missing)"
bash scripts/build.sh

step "the probe build for test/node/trap.test.mjs (a fetch that panics on demand; not shipped)"
bash scripts/build-probe.sh

step "size budget of the browser build"
node scripts/size-budget.mjs

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings

step "native Rust tests: protocol, every behaviour rule (fake transport, virtual clock), the catalogue converter"
cargo test --workspace

step "TypeScript: strict use of the package's .d.ts, misuse rejected"
tsc -p test/types

step "dashboard end to end in headless Chromium (screenshot in test-results/)"
node --test test/e2e/ 2>&1 | tee test-results/e2e.log
quiet test-results/e2e.log

step "Node tests: the built package (ESM, CJS, fake fetch), kis-mock and kis-cors-proxy on 127.0.0.1"
node --test test/node/ 2>&1 | tee test-results/node.log
quiet test-results/node.log
