#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): writes bench/results.json and BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
node --expose-gc bench/run.mjs "$@"
