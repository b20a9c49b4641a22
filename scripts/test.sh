#!/usr/bin/env bash
# The project's whole test run, from a fresh machine: installs what the tests need (Debian packages,
# npm dependencies, the helm binary), builds, lints, type-checks and runs every test.
# Prints the closing line `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci
fi
npm run build
npm run lint
npx tsc -p tsconfig.json --noEmit

status=0
npx jest --ci --json --outputFile=.test-results.json "$@" || status=$?
node scripts/summary.js .test-results.json
exit "$status"
