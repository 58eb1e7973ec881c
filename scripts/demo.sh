#!/usr/bin/env bash
# The demo: builds the package and the dashboard (installing what is missing), then serves the
# dashboard against the embedded mock KIS server through the CORS proxy and prints the URL.
# With KIS_APP_KEY, KIS_APP_SECRET, KIS_ACCOUNT (and KIS_ENV=real|mock) set, the proxy holds
# those keys and forwards to KIS itself instead. PORT picks the dashboard's port (default 5173).
# --verbose: the proxy's line per request (by default only failures are printed). --check: says
# whether the package and the dashboard are up to date, building and serving nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Built again only when something the package or the dashboard is made from is newer than the
# last whole build (a fresh clone has none, so it builds, installing what is missing).
inputs=(src build.rs Cargo.toml Cargo.lock catalogue pkg-templates tools www/src www/index.html
  www/style.css www/tsconfig.json package.json package-lock.json scripts/build.sh scripts/setup.sh
  scripts/assemble.mjs)
if [ -f pkg/.built ] && [ -z "$(find "${inputs[@]}" -newer pkg/.built -print -quit)" ]; then
  echo "pkg/ and the dashboard are up to date with the sources (bash scripts/build.sh builds them again)"
elif [ "${1:-}" = --check ]; then
  echo "pkg/ or the dashboard is older than its sources: bash scripts/demo.sh builds them"
  exit 1
else
  bash scripts/build.sh
fi
# --check: only says whether a start would build.
[ "${1:-}" = --check ] && exit 0
exec node scripts/demo.mjs "$@"
