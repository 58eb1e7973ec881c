#!/usr/bin/env bash
# The demo: the dashboard against the embedded mock KIS server. The mock server, the proxy and the
# dashboard are not built yet (see README "Status"); this says so instead of pretending.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "The dashboard demo is not built yet: it needs the mock KIS server, the CORS proxy and www/." >&2
echo "What exists today: 'bash scripts/build.sh' builds the package into pkg/; 'bash scripts/test.sh' tests it." >&2
exit 2
