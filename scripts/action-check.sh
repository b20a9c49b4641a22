#!/usr/bin/env bash
# action.yml, step "Run oneproc check": runs the check with SARIF output and records the outcome in
# $GITHUB_OUTPUT: exit-code, sarif-file, and ran=true only when oneproc really ran and wrote a report
# (so a missing or broken oneproc never passes as "no findings"). Never fails itself: the verdict is the
# last step's, after the SARIF upload.
set -uo pipefail
: "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: this script is a step of action.yml}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: this script is a step of action.yml}"
sarif="${ONEPROC_SARIF:-oneproc.sarif}"
# Inputs are lists separated by white space (new lines too); no glob is expanded.
set -f
IFS=$' \t\n'
# shellcheck disable=SC2206
paths=(${ONEPROC_PATHS:-.})
# shellcheck disable=SC2206
extra=(${ONEPROC_ARGS:-})
set +f
flags=(--format sarif)
case "${ONEPROC_STRICT:-false}" in
  true) flags+=(--strict) ;;
  false | '') ;;
  *)
    echo "::error title=oneproc::the strict input takes true or false, not '${ONEPROC_STRICT//[^A-Za-z0-9_.-]/?}'"
    echo "exit-code=2" >>"$GITHUB_OUTPUT"
    exit 0
    ;;
esac
[ "${#paths[@]}" -gt 0 ] || paths=(.)
status=0
node "$GITHUB_ACTION_PATH/bin/oneproc.js" check "${flags[@]}" "${extra[@]}" -- "${paths[@]}" >"$sarif" || status=$?
echo "exit-code=$status" >>"$GITHUB_OUTPUT"
echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"
# A report is a SARIF log with its version; anything else (empty: oneproc did not start) is not uploaded.
if [ -s "$sarif" ] && node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.exit(s.version==="2.1.0"&&Array.isArray(s.runs)?0:1)' "$sarif" 2>/dev/null; then
  echo "ran=true" >>"$GITHUB_OUTPUT"
else
  echo "ran=false" >>"$GITHUB_OUTPUT"
  echo "::error title=oneproc::oneproc did not write a SARIF report (exit status $status)"
fi
exit 0
