#!/usr/bin/env bash
# `npm start`: set up what is missing, then run PostgreSQL, Temporal (with UI), the worker
# and the API until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# npm put node_modules/.bin on PATH before `npm ci` created it; from here on `node` is Node 24.
exec node_modules/.bin/node scripts/start.ts "$@"
