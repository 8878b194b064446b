#!/usr/bin/env bash
# `npm test`: set up what is missing, then run every Jest project against real services
# (started by test/setup/global-setup.ts on free ports, stopped afterwards). The last line
# is "N passed, N failed", taken from Jest's JSON results, for CI.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p .data
results=.data/jest-results.json
rm -f "$results"
# Nest 12 and asn1js are ES modules; Jest loads them from CommonJS tests through vm.SourceTextModule,
# which Node offers only with --experimental-vm-modules.
node_modules/.bin/node --experimental-vm-modules node_modules/.bin/jest --ci --json --outputFile="$results" "$@"
code=$?
node_modules/.bin/node scripts/test-summary.ts "$results" || code=1
exit $code
