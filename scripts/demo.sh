#!/usr/bin/env bash
# The demo. Until the dashboard (www/), the mock KIS server and the CORS proxy land, this runs
# the interim Node demo: it builds the package (installing what is missing) and uses it against a
# small KIS stand-in on 127.0.0.1, printing a quote, the balance and the request log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
node examples/node-demo.mjs
