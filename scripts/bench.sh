#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): writes bench/results.json and BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# The engine's instruction count (bench/run.mjs): its native build and valgrind.
cargo build --release --example get_price_work
if ! command -v valgrind >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
fi
node --expose-gc bench/run.mjs "$@"
