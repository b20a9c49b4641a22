#!/usr/bin/env bash
# action.yml, step "Fail on findings": the job's verdict from the check's exit status. An empty status
# means the check step never ran: that fails too.
set -euo pipefail
case "${ONEPROC_EXIT:-}" in
  0) echo "oneproc: no findings that fail the check" ;;
  1) echo "::error title=oneproc::oneproc found containers that start more than one worker process (see the SARIF report or the log above)"; exit 1 ;;
  2) echo "::error title=oneproc::oneproc could not read an input or was called wrongly (see the log above)"; exit 2 ;;
  *) echo "::error title=oneproc::oneproc did not run"; exit 2 ;;
esac
