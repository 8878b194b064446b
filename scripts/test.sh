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
#
# --forceExit: once the results are written and the global teardown has stopped the services, nothing left open
# (a native Temporal connection, a worker a failed file did not close) may keep the run from reporting; the
# integration environment (test/setup/environment.ts) names and closes what a file leaves open.
# timeout: a run that hangs anyway ends well inside CI's 90 minutes, with a failure line rather than no line
# (--foreground keeps Jest in the terminal's process group, so Ctrl-C still reaches it).
timeout --foreground --kill-after=60s 75m \
  node_modules/.bin/node --experimental-vm-modules node_modules/.bin/jest --ci --forceExit --json --outputFile="$results" "$@"
code=$?
if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
  echo "The test run did not finish within 75 minutes and was stopped."
  rm -f "$results"
fi
node_modules/.bin/node scripts/test-summary.ts "$results" || code=1
exit $code
