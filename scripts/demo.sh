#!/usr/bin/env bash
# The demo: builds the package and the dashboard (installing what is missing), then serves the
# dashboard against the embedded mock KIS server through the CORS proxy and prints the URL.
# With KIS_APP_KEY, KIS_APP_SECRET, KIS_ACCOUNT (and KIS_ENV=real|mock) set, the proxy holds
# those keys and forwards to KIS itself instead. PORT picks the dashboard's port (default 5173).
# --verbose: the proxy's line per request (by default only failures are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec node scripts/demo.mjs "$@"
