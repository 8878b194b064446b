#!/usr/bin/env bash
# `npm run bench`: benchmarks in bench/, each printing its figure next to an in-run baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/node scripts/bench.ts "$@"
