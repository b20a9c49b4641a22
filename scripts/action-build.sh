#!/usr/bin/env bash
# action.yml, step "Build oneproc": installs and builds the action's own checkout of oneproc.
set -euo pipefail
cd "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: this script is a step of action.yml}"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
