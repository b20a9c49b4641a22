// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, where ${…} is parameter expansion.
/**
 * Differences between the real shells and oneproc's prediction that remain, each with the reason it
 * remains. The differential tests expect exactly these to differ: a difference not listed fails, and a
 * listed one that no longer differs fails too, so the lists stay true. Each reason names what the
 * interpreter does not yet follow; fixing it removes its entries.
 */

const FILE_READER =
  "a script file run as the image's entrypoint is read by src/sources/script.ts, which lists its commands as text and reads each alone: the variables, exports, functions, arguments and branches before a command are lost";
const BRANCHES =
  'every simple command is reported whichever branch runs: `if`, `case`, `&&` and `[[ ]]` are not decided on known values (src/shell/interpret.ts)';
const FUNCTIONS =
  'functions are not run: "$@" and $1 in a body are taken as the container\'s arguments (src/shell/interpret.ts)';
const AFTER_EXEC =
  'the commands after `exec` and `exit`, which never run, are reported (src/shell/interpret.ts)';
const CPU_BOUND =
  'a CPU count kept in a variable, or a `python -c` formula other than print(cpu_count()), keeps no lower bound';
const ARITH_COMPARE = 'comparison operators in $((…)) are not evaluated';
const DASH_LOCAL =
  '`local W` without a value: dash keeps the outer value (dash(1), local), the prediction unsets it as bash does';
const DASH_SHIFT =
  '`shift` with no positional parameters: dash stops the script (an error of a special builtin, POSIX 2.8.1), the prediction goes on as bash does';
const DASH_ANSI_QUOTE =
  "$'…' is bash's quoting; dash keeps the `$` and the quoted text, the prediction reads it as bash does";
const BASH_SLICE = '"${@:2}" (bash\'s slice of the positional parameters) is not expanded';

/** Hand-written fixtures, by `NAME | DOOR | SHELL` (fixture-run.ts). */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'WORKERS=${WORKERS:-4} takes its default when the pod does not set WORKERS | file | dash': FILE_READER,
  'WORKERS=${WORKERS:-4} takes its default when the pod does not set WORKERS | file | bash': FILE_READER,
  'export WEB_CONCURRENCY=4 reaches gunicorn | file | dash': FILE_READER,
  'export WEB_CONCURRENCY=4 reaches gunicorn | file | bash': FILE_READER,
  'WEB_CONCURRENCY=4 without export does reach gunicorn when the pod already set it | file | dash':
    FILE_READER,
  'WEB_CONCURRENCY=4 without export does reach gunicorn when the pod already set it | file | bash':
    FILE_READER,
  'export X after the assignment | file | dash': FILE_READER,
  'export X after the assignment | file | bash': FILE_READER,
  ': "${GUNICORN_WORKERS:=2}" assigns the default | file | dash': FILE_READER,
  ': "${GUNICORN_WORKERS:=2}" assigns the default | file | bash': FILE_READER,
  'export NUM_WORKERS=$((2*$(nproc --all))) is at least 2 | sh -c | dash': CPU_BOUND,
  'export NUM_WORKERS=$((2*$(nproc --all))) is at least 2 | file | dash': FILE_READER,
  'export NUM_WORKERS=$((2*$(nproc --all))) is at least 2 | sh -c | bash': CPU_BOUND,
  'export NUM_WORKERS=$((2*$(nproc --all))) is at least 2 | file | bash': FILE_READER,
  'a function takes its own arguments in "$@", not the container\'s | sh -c | dash': FUNCTIONS,
  'a function takes its own arguments in "$@", not the container\'s | file | dash': FILE_READER,
  'a function takes its own arguments in "$@", not the container\'s | sh -c | bash': FUNCTIONS,
  'a function takes its own arguments in "$@", not the container\'s | file | bash': FILE_READER,
  "a function takes its own $1 and $2; the script's stay after it returns | sh -c | dash": FUNCTIONS,
  "a function takes its own $1 and $2; the script's stay after it returns | file | dash": FILE_READER,
  "a function takes its own $1 and $2; the script's stay after it returns | sh -c | bash": FUNCTIONS,
  "a function takes its own $1 and $2; the script's stay after it returns | file | bash": FILE_READER,
  'shift; exec "$@" | file | dash': FILE_READER,
  'shift; exec "$@" | file | bash': FILE_READER,
  'shift; cmd="$@"; exec $cmd | file | dash': FILE_READER,
  'shift; cmd="$@"; exec $cmd | file | bash': FILE_READER,
  'shift 2 and $# | file | dash': FILE_READER,
  'shift 2 and $# | file | bash': FILE_READER,
  'set -- gunicorn "$@"; exec "$@" | file | dash': FILE_READER,
  'set -- gunicorn "$@"; exec "$@" | file | bash': FILE_READER,
  'set -- with "$*" joins the arguments into one word | file | dash': FILE_READER,
  'set -- with "$*" joins the arguments into one word | file | bash': FILE_READER,
  'case "$1" picks the worker branch | sh -c | dash': BRANCHES,
  'case "$1" picks the worker branch | sh -c | bash': BRANCHES,
  'case "$1" falls through to exec "$@" | sh -c | dash': BRANCHES,
  'case "$1" falls through to exec "$@" | sh -c | bash': BRANCHES,
  'if [ "$MODE" = web ] on a pod-set variable runs one branch only | sh -c | dash': BRANCHES,
  'if [ "$MODE" = web ] on a pod-set variable runs one branch only | file | dash': FILE_READER,
  'if [ "$MODE" = web ] on a pod-set variable runs one branch only | sh -c | bash': BRANCHES,
  'if [ "$MODE" = web ] on a pod-set variable runs one branch only | file | bash': FILE_READER,
  'elif, -z and numbers in test | sh -c | dash': BRANCHES,
  'elif, -z and numbers in test | file | dash': FILE_READER,
  'elif, -z and numbers in test | sh -c | bash': BRANCHES,
  'elif, -z and numbers in test | file | bash': FILE_READER,
  'test and ! and && in a condition | sh -c | dash': BRANCHES,
  'test and ! and && in a condition | file | dash': FILE_READER,
  'test and ! and && in a condition | sh -c | bash': BRANCHES,
  'test and ! and && in a condition | file | bash': FILE_READER,
  '. ./env.sh runs in the current shell: its exports reach the server, its plain variables do not | file | dash':
    FILE_READER,
  '. ./env.sh runs in the current shell: its exports reach the server, its plain variables do not | file | bash':
    FILE_READER,
  'a sourced file sees the unexported variables of the script | file | dash': FILE_READER,
  'a sourced file sees the unexported variables of the script | file | bash': FILE_READER,
  'source ./env.sh is bash; dash has no source builtin | file | dash': FILE_READER,
  'source ./env.sh is bash; dash has no source builtin | file | bash': FILE_READER,
  'readonly | file | dash': FILE_READER,
  'readonly | file | bash': FILE_READER,
  'readonly -x is not a thing, export after readonly is | file | dash': FILE_READER,
  'readonly -x is not a thing, export after readonly is | file | bash': FILE_READER,
  'local in a function does not change the caller\u2019s variable | file | dash': FILE_READER,
  'local in a function does not change the caller\u2019s variable | file | bash': FILE_READER,
  'local W without a value: dash keeps the outer value, bash unsets it | sh -c | dash': DASH_LOCAL,
  'local W without a value: dash keeps the outer value, bash unsets it | file | dash': FILE_READER,
  'declare -x exports (bash) | file | bash': FILE_READER,
  'unset removes a pod variable from the server\u2019s environment | file | dash': FILE_READER,
  'unset removes a pod variable from the server\u2019s environment | file | bash': FILE_READER,
  'eval of known text | file | dash': FILE_READER,
  'eval of known text | file | bash': FILE_READER,
  'eval of an assignment | file | dash': FILE_READER,
  'eval of an assignment | file | bash': FILE_READER,
  'arithmetic on earlier variables | sh -c | dash': ARITH_COMPARE,
  'arithmetic on earlier variables | file | dash': FILE_READER,
  'arithmetic on earlier variables | sh -c | bash': ARITH_COMPARE,
  'arithmetic on earlier variables | file | bash': FILE_READER,
  'nothing after exec runs | sh -c | dash': AFTER_EXEC,
  'nothing after exec runs | file | dash': FILE_READER,
  'nothing after exec runs | sh -c | bash': AFTER_EXEC,
  'nothing after exec runs | file | bash': FILE_READER,
  'exit ends the script | sh -c | dash': AFTER_EXEC,
  'exit ends the script | file | dash': FILE_READER,
  'exit ends the script | sh -c | bash': AFTER_EXEC,
  'exit ends the script | file | bash': FILE_READER,
  'an unquoted value is split into words | file | dash': FILE_READER,
  'an unquoted value is split into words | file | bash': FILE_READER,
  'shift with no arguments: dash stops the script, bash goes on | sh -c | dash': DASH_SHIFT,
  'shift with no arguments: dash stops the script, bash goes on | file | dash': FILE_READER,
  "$'\u2026' quoting is bash's; dash keeps the text | sh -c | dash": DASH_ANSI_QUOTE,
  "$'\u2026' quoting is bash's; dash keeps the text | file | dash": FILE_READER,
  '[[ ]] is bash; in dash the command is not found and the else branch runs | sh -c | dash': BRANCHES,
  '[[ ]] is bash; in dash the command is not found and the else branch runs | file | dash': FILE_READER,
  '[[ ]] is bash; in dash the command is not found and the else branch runs | sh -c | bash': BRANCHES,
  '[[ ]] is bash; in dash the command is not found and the else branch runs | file | bash': FILE_READER,
  '"${@:2}" (bash) | sh -c | bash': BASH_SLICE,
  '"${@:2}" (bash) | file | bash': FILE_READER,
  '#!/usr/bin/env bash runs the script with bash | file | bash': FILE_READER,
  '#!/usr/bin/env sh runs the script with sh | file | dash': FILE_READER,
  '#!/bin/bash -e | file | bash': FILE_READER,
  '#!/usr/bin/env -S bash -eu | file | bash': FILE_READER,
  'a pod-set variable picks the single-process branch (no false deny) | sh -c | dash': BRANCHES,
  'a pod-set variable picks the single-process branch (no false deny) | file | dash': FILE_READER,
  'a pod-set variable picks the single-process branch (no false deny) | sh -c | bash': BRANCHES,
  'a pod-set variable picks the single-process branch (no false deny) | file | bash': FILE_READER,
  'a pod-set variable picks the multi-process branch | sh -c | dash': BRANCHES,
  'a pod-set variable picks the multi-process branch | file | dash': FILE_READER,
  'a pod-set variable picks the multi-process branch | sh -c | bash': BRANCHES,
  'a pod-set variable picks the multi-process branch | file | bash': FILE_READER,
  "$(python3 -c '\u2026cpu_count()*2+1') is at least 3 | sh -c | dash": CPU_BOUND,
  "$(python3 -c '\u2026cpu_count()*2+1') is at least 3 | file | dash": FILE_READER,
  "$(python3 -c '\u2026cpu_count()*2+1') is at least 3 | sh -c | bash": CPU_BOUND,
  "$(python3 -c '\u2026cpu_count()*2+1') is at least 3 | file | bash": FILE_READER,
  '$(getconf _NPROCESSORS_ONLN) through a variable is at least 1 | sh -c | dash': CPU_BOUND,
  '$(getconf _NPROCESSORS_ONLN) through a variable is at least 1 | file | dash': FILE_READER,
  '$(getconf _NPROCESSORS_ONLN) through a variable is at least 1 | sh -c | bash': CPU_BOUND,
  '$(getconf _NPROCESSORS_ONLN) through a variable is at least 1 | file | bash': FILE_READER,
};

/**
 * Generated scripts, by kind of difference (`kindOf` in differential.ts: `DOOR | SHELL | CATEGORY`).
 */
export const KNOWN_GENERATED: Readonly<Record<string, string>> = {};
