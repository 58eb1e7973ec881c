#!/usr/bin/env bash
# The demo. Until the dashboard (www/) lands, this runs the interim Node demo: it builds the
# package (installing what is missing) and uses it against the mock KIS server on 127.0.0.1,
# printing a quote, the balance, an order and the request log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
node examples/node-demo.mjs
