#!/usr/bin/env bash
# Runs every test tier against the local Postgres and NATS: unit (pure logic), integration
# (real Postgres/NATS, one database and namespace per suite) and end-to-end (the built services
# as processes). Prints one summary line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false NO_COLOR=1 FORCE_COLOR=0
[ -d node_modules ] || npm install --no-audit --no-fund
node scripts/check-infra.js --redis || exit 1
rm -rf tmp/test-results && mkdir -p tmp/test-results

npx nx run-many -t test test:integration --parallel=2 --outputStyle=stream
status=$?
if [ $status -eq 0 ]; then
  npx nx run-many -t test:e2e --parallel=1 --outputStyle=stream
  status=$?
fi
node scripts/summarize-tests.js tmp/test-results
exit $status
