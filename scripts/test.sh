#!/usr/bin/env bash
# README command 2: set up (idempotent), type-check, then run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Several test files read the demo world; make it once here rather than under a test hook timeout.
node_modules/.bin/tsx scripts/make-demo-world.ts --quiet
echo "test: type-check" >&2
node_modules/.bin/tsc --noEmit -p tsconfig.json
report=$(mktemp)
status=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line that any CI log reader understands.
node -e "
const r = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
console.log('tests: ' + r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed' + (r.numPendingTests ? ', ' + r.numPendingTests + ' skipped' : ''));
" "$report" || true
rm -f "$report"
exit $status
