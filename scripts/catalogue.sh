#!/usr/bin/env bash
# Regenerates catalogue/kis-api.json from KIS's API workbook: the newest .xlsx in
# ../shared/kis-api-workbook/, or the file given. When KIS publishes a new workbook, this is the
# whole update; the tests then say what changed for the package.
#   bash scripts/catalogue.sh [path/to/workbook.xlsx]
set -euo pipefail
cd "$(dirname "$0")/.."
book="${1:-$(ls ../shared/kis-api-workbook/*.xlsx 2>/dev/null | sort | tail -1)}"
if [ -z "$book" ]; then
  echo "no workbook given, and none in ../shared/kis-api-workbook/" >&2
  exit 2
fi
cargo run --quiet --release -p kis-catalogue -- "$book" catalogue/kis-api.json
