// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, where ${…} is parameter expansion.
/**
 * Hand-written differential fixtures: one per pattern real entrypoint scripts use to start a server
 * (the state the script builds before `exec`), plus the server-side cases of the shell branches and
 * CPU formulas. Each runs under real dash and real bash; `dash`/`bash` say what each real shell runs
 * where they differ (Debian's `/bin/sh` is dash, so `sh -c` and `#!/bin/sh` follow dash).
 */
import type { CpuBound } from './compare';
import type { Shell } from './real';

export interface Fixture {
  readonly name: string;
  /** The script, without a shebang unless `shebang` is set (then it is the file's first line). */
  readonly script: string;
  /** A shebang of its own: the script is then only run as a file, by the shell the shebang names. */
  readonly shebang?: string;
  readonly files?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  readonly env?: readonly (readonly [string, string])[];
  /** The shells that run it (default both); a bash-only construct is given to bash only. */
  readonly shells?: readonly Shell[];
  /** What the real shells run, one line per server (`program arg…`), when both agree. */
  readonly runs?: readonly string[];
  /** Where dash and bash differ: what each really runs. */
  readonly dash?: readonly string[];
  readonly bash?: readonly string[];
  readonly bounds?: readonly CpuBound[];
}

export const FIXTURES: readonly Fixture[] = [
  {
    name: 'WORKERS=${WORKERS:-4} takes its default when the pod does not set WORKERS',
    script: 'WORKERS=${WORKERS:-4}\nexec gunicorn -w "$WORKERS" app:app\n',
    runs: ['gunicorn -w 4 app:app'],
  },
  {
    name: 'WORKERS=${WORKERS:-4} keeps the pod value, and stays exported because it came from the environment',
    script: 'WORKERS=${WORKERS:-4}\nexec gunicorn -w "$WORKERS" app:app\n',
    env: [['WORKERS', '2']],
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: 'export WEB_CONCURRENCY=4 reaches gunicorn',
    script: 'export WEB_CONCURRENCY=4\nexec gunicorn app:app\n',
    runs: ['gunicorn app:app'],
  },
  {
    name: 'WEB_CONCURRENCY=4 without export does not reach gunicorn',
    script: 'WEB_CONCURRENCY=4\nexec gunicorn app:app\n',
    runs: ['gunicorn app:app'],
  },
  {
    name: 'WEB_CONCURRENCY=4 without export does reach gunicorn when the pod already set it',
    script: 'WEB_CONCURRENCY=4\nexec gunicorn app:app\n',
    env: [['WEB_CONCURRENCY', '1']],
    runs: ['gunicorn app:app'],
  },
  {
    name: 'export X after the assignment',
    script: 'UVICORN_WORKERS=3\nexport UVICORN_WORKERS\nexec uvicorn app:app\n',
    runs: ['uvicorn app:app'],
  },
  {
    name: ': "${GUNICORN_WORKERS:=2}" assigns the default',
    script: ': "${GUNICORN_WORKERS:=2}"\nexec gunicorn -w "$GUNICORN_WORKERS" app:app\n',
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: '${X:=v} keeps an exported pod value and ${X:+v} sees it',
    script:
      ': "${GUNICORN_WORKERS:=2}"\nexec gunicorn -w "$GUNICORN_WORKERS" ${GUNICORN_WORKERS:+--preload} app:app\n',
    env: [['GUNICORN_WORKERS', '5']],
    runs: ['gunicorn -w 5 --preload app:app'],
  },
  {
    name: '${X-v} keeps a set but empty value, ${X:-v} does not',
    script: 'exec gunicorn -w "${WORKERS-3}" -t "${MAX_WORKERS:-9}" app:app\n',
    env: [
      ['WORKERS', ''],
      ['MAX_WORKERS', ''],
    ],
    runs: ['gunicorn -w  -t 9 app:app'],
  },
  {
    name: 'export NUM_WORKERS=$((2*$(nproc --all))) is at least 2',
    script: 'export NUM_WORKERS=$((2*$(nproc --all)))\nexec gunicorn -w "$NUM_WORKERS" app:app\n',
    bounds: [
      { run: 0, arg: 1, min: 2 },
      { run: 0, env: 'NUM_WORKERS', min: 2 },
    ],
  },
  {
    name: 'a function takes its own arguments in "$@", not the container\'s',
    script: 'run() {\n  exec gunicorn "$@"\n}\nrun -w 4 app:app\n',
    args: ['web', 'ignored'],
    runs: ['gunicorn -w 4 app:app'],
  },
  {
    name: "a function takes its own $1 and $2; the script's stay after it returns",
    script: 'start() { celery -A "$1" worker -c "$2"; }\nstart proj 3\nstart other 1\nexec uvicorn "$1"\n',
    args: ['app:app'],
    runs: ['celery -A proj worker -c 3', 'celery -A other worker -c 1', 'uvicorn app:app'],
  },
  {
    name: 'shift; exec "$@"',
    script: 'shift\nexec "$@"\n',
    args: ['web', 'gunicorn', '-w', '2', 'app:app'],
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: 'shift; cmd="$@"; exec $cmd',
    script: 'shift\ncmd="$@"\nexec $cmd\n',
    args: ['web', 'uvicorn', '--workers', '3', 'app:app'],
    runs: ['uvicorn --workers 3 app:app'],
  },
  {
    name: 'shift 2 and $#',
    script: 'shift 2\nexec celery -A app worker -c "$#" "$@"\n',
    args: ['a', 'b', '-l', 'info'],
    runs: ['celery -A app worker -c 2 -l info'],
  },
  {
    name: 'set -- gunicorn "$@"; exec "$@"',
    script: 'set -- gunicorn "$@"\nexec "$@"\n',
    args: ['-w', '3', 'app:app'],
    runs: ['gunicorn -w 3 app:app'],
  },
  {
    name: 'set -- with "$*" joins the arguments into one word',
    script: 'set -- "$*"\nexec uvicorn "$1"\n',
    args: ['a', 'b'],
    runs: ['uvicorn a b'],
  },
  {
    name: 'case "$1" picks the worker branch',
    script:
      'case "$1" in\n  web) exec gunicorn -w 4 app:app ;;\n  worker) exec celery -A app worker -c 2 ;;\n  *) exec "$@" ;;\nesac\n',
    args: ['worker'],
    runs: ['celery -A app worker -c 2'],
  },
  {
    name: 'case "$1" falls through to exec "$@"',
    script:
      'case "$1" in\n  web) exec gunicorn -w 4 app:app ;;\n  worker|jobs) exec celery -A app worker -c 2 ;;\n  *) exec "$@" ;;\nesac\n',
    args: ['rq', 'worker'],
    runs: ['rq worker'],
  },
  {
    name: 'if [ "$MODE" = web ] on a pod-set variable runs one branch only',
    script:
      'if [ "$MODE" = web ]; then\n  exec gunicorn -w 4 app:app\nelse\n  exec celery -A app worker -c 1\nfi\n',
    env: [['MODE', 'worker']],
    runs: ['celery -A app worker -c 1'],
  },
  {
    name: 'elif, -z and numbers in test',
    script:
      'if [ -z "$ROLE" ]; then\n  exec uvicorn app:app\nelif [ "$WORKERS" -gt 2 ]; then\n  exec uvicorn --workers "$WORKERS" app:app\nelse\n  exec uvicorn app:app\nfi\n',
    env: [
      ['ROLE', 'web'],
      ['WORKERS', '4'],
    ],
    runs: ['uvicorn --workers 4 app:app'],
  },
  {
    name: 'test and ! and && in a condition',
    script: 'if test -n "$APP" && ! [ "$APP" = x ]; then exec puma -w 2; fi\nexec puma\n',
    env: [['APP', 'y']],
    runs: ['puma -w 2'],
  },
  {
    name: '. ./env.sh runs in the current shell: its exports reach the server, its plain variables do not',
    script: '. ./env.sh\nexec gunicorn -w "$WORKERS" app:app\n',
    files: { 'env.sh': 'WORKERS=3\nexport WEB_CONCURRENCY=5\n' },
    runs: ['gunicorn -w 3 app:app'],
  },
  {
    name: 'a sourced file sees the unexported variables of the script',
    script: 'N=2\n. ./env.sh\nexec uwsgi --processes "$M"\n',
    files: { 'env.sh': 'M=$((N+1))\nexport UWSGI_CHEAPER=$N\n' },
    runs: ['uwsgi --processes 3'],
  },
  {
    name: 'source ./env.sh is bash; dash has no source builtin',
    script: 'WORKERS=1\nsource ./env.sh\nexec gunicorn -w "$WORKERS" app:app\n',
    files: { 'env.sh': 'WORKERS=3\n' },
    dash: ['gunicorn -w 1 app:app'],
    bash: ['gunicorn -w 3 app:app'],
  },
  {
    name: 'X=v cmd sets X for that command only',
    script: 'WEB_CONCURRENCY=3 gunicorn app:app\nexec gunicorn app:app\n',
    runs: ['gunicorn app:app', 'gunicorn app:app'],
  },
  {
    name: 'env X=v cmd',
    script: 'exec env UVICORN_WORKERS=2 uvicorn app:app\n',
    runs: ['uvicorn app:app'],
  },
  {
    name: 'readonly',
    script: 'readonly WORKERS=2\nexec gunicorn -w "$WORKERS" app:app\n',
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: 'readonly -x is not a thing, export after readonly is',
    script: 'readonly CELERY_CONCURRENCY=2\nexport CELERY_CONCURRENCY\nexec celery -A app worker\n',
    runs: ['celery -A app worker'],
  },
  {
    name: 'local in a function does not change the caller’s variable',
    script: 'f() { local W=5; gunicorn -w "$W" app:app; }\nW=1\nf\nexec gunicorn -w "$W" app:app\n',
    runs: ['gunicorn -w 5 app:app', 'gunicorn -w 1 app:app'],
  },
  {
    name: 'local W without a value: dash keeps the outer value, bash unsets it',
    script: 'f() { local W; gunicorn -w "${W:-none}" app:app; }\nW=3\nf\n',
    dash: ['gunicorn -w 3 app:app'],
    bash: ['gunicorn -w none app:app'],
  },
  {
    name: 'declare -x exports (bash)',
    script: 'declare -x WEB_CONCURRENCY=3\nexec gunicorn app:app\n',
    shells: ['bash'],
    runs: ['gunicorn app:app'],
  },
  {
    name: 'unset removes a pod variable from the server’s environment',
    script: 'unset WEB_CONCURRENCY\nexec gunicorn app:app\n',
    env: [['WEB_CONCURRENCY', '4']],
    runs: ['gunicorn app:app'],
  },
  {
    name: 'eval of known text',
    script: 'cmd="gunicorn -w 2 app:app"\neval "exec $cmd"\n',
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: 'eval of an assignment',
    script: 'eval "WORKERS=$((1+2))"\nexport WORKERS\nexec gunicorn -w "$WORKERS" app:app\n',
    runs: ['gunicorn -w 3 app:app'],
  },
  {
    name: 'arithmetic on earlier variables',
    script: 'N=2\nM=$((N * 2 + 1))\nexec gunicorn -w $((M - 1)) --threads $((N<3)) app:app\n',
    runs: ['gunicorn -w 4 --threads 1 app:app'],
  },
  {
    name: 'nothing after exec runs',
    script: 'exec gunicorn -w 2 app:app\ncelery -A app worker\n',
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: 'servers without exec all run, in order',
    script: 'celery -A app worker -c 2\nrq worker\nexec uvicorn app:app\n',
    runs: ['celery -A app worker -c 2', 'rq worker', 'uvicorn app:app'],
  },
  {
    name: 'a function that returns early goes on after its call; one that reaches exit ends the script',
    script:
      'check() {\n  if [ "$READY" = yes ]; then\n    return 0\n  fi\n  exit 1\n}\ncheck\nexec gunicorn -w 4 app:app\n',
    env: [['READY', 'yes']],
    runs: ['gunicorn -w 4 app:app'],
  },
  {
    name: 'a function that does not return early reaches its exit, and nothing after its call runs',
    script:
      'check() {\n  if [ "$READY" = yes ]; then\n    return 0\n  fi\n  exit 1\n}\ncheck\nexec gunicorn -w 4 app:app\n',
    env: [['READY', 'no']],
    runs: [],
  },
  {
    name: 'exec {fd}>FILE only opens a descriptor in bash (the shell goes on); dash execs a program named {fd} and fails',
    script: 'exec {log}>/dev/null\necho ready >&$log\nexec {log}>&-\nexec gunicorn -w 2 app:app\n',
    dash: [],
    bash: ['gunicorn -w 2 app:app'],
  },
  {
    name: 'a default that is itself an expansion: ${WORKERS:-${WEB_CONCURRENCY:-4}}',
    script: 'export WORKERS=${WORKERS:-${WEB_CONCURRENCY:-4}}\nexec gunicorn -w "$WORKERS" app:app\n',
    runs: ['gunicorn -w 4 app:app'],
  },
  {
    name: 'a nested default takes the inner variable when the pod sets it, quoted or not, and := assigns',
    script: 'W="${WORKERS:-"${WEB_CONCURRENCY:-4}"}"\nexec gunicorn -w $W --threads ${T:-${T2:=3}} app:app\n',
    env: [['WEB_CONCURRENCY', '6']],
    runs: ['gunicorn -w 6 --threads 3 app:app'],
  },
  {
    name: 'a bash array gives its elements as words: "${args[@]}"',
    shebang: '#!/bin/bash',
    script: 'args=(--bind 0.0.0.0:8000 -w 4)\nexec gunicorn "${args[@]}" app:app\n',
    shells: ['bash'],
    runs: ['gunicorn --bind 0.0.0.0:8000 -w 4 app:app'],
  },
  {
    name: 'a bash array over lines, with comments, +=, an element by index and the count',
    shebang: '#!/bin/bash',
    script:
      'opts=(\n  -w 2  # two workers\n  "--name=web"\n)\nopts+=(--reload)\nexec uvicorn app:app "${opts[@]}" --n ${#opts[@]} --first "${opts[0]}" ${opts[9]} ${opts[*]}\n',
    shells: ['bash'],
    runs: ['uvicorn app:app -w 2 --name=web --reload --n 4 --first -w -w 2 --name=web --reload'],
  },
  {
    name: 'bash extended patterns in case and [[ ]] are read, not a syntax error',
    shebang: '#!/bin/bash',
    script:
      'shopt -s extglob\ncase "${WORKERS:-4}" in\n  +([0-9])) ;;\n  @(x|y)) exit 2 ;;\n  *) exit 1 ;;\nesac\n[[ $MODE == !(web) ]] && exit 3\nexec gunicorn --workers "${WORKERS:-4}" app:app\n',
    env: [['MODE', 'web']],
    shells: ['bash'],
    runs: ['gunicorn --workers 4 app:app'],
  },
  {
    name: 'a server started inside $(…) runs, in a subshell whose variables do not reach the script',
    script: 'V=$(W=9; uvicorn --version)\nexec gunicorn -w "${W:-2}" app:app\n',
    runs: ['uvicorn --version', 'gunicorn -w 2 app:app'],
  },
  {
    name: 'local and declare give a bash array its elements',
    shebang: '#!/bin/bash',
    script:
      'run() {\n  local args=(-w 3)\n  declare -a more=(--bind :80)\n  exec gunicorn "${args[@]}" "${more[@]}" app:app\n}\nrun\n',
    shells: ['bash'],
    runs: ['gunicorn -w 3 --bind :80 app:app'],
  },
  {
    name: 'exit ends the script',
    script: 'if [ "$MODE" = stop ]; then exit 0; fi\nexec daphne app.asgi:application\n',
    env: [['MODE', 'stop']],
    runs: [],
  },
  {
    name: 'an unquoted value is split into words',
    script: 'OPTS="-w 3  --preload"\nexec gunicorn $OPTS app:app\n',
    runs: ['gunicorn -w 3 --preload app:app'],
  },
  {
    name: 'shift with no arguments: dash stops the script, bash goes on',
    script: 'shift\nexec hypercorn app:app\n',
    dash: [],
    bash: ['hypercorn app:app'],
  },
  {
    name: "$'…' quoting is bash's; dash keeps the text",
    script: "exec granian --workers $'2' app:app\n",
    dash: ['granian --workers $2 app:app'],
    bash: ['granian --workers 2 app:app'],
  },
  {
    name: '[[ ]] is bash; in dash the command is not found and the else branch runs',
    script: 'if [[ "$MODE" == web ]]; then exec gunicorn -w 4 app:app; else exec sidekiq -c 2; fi\n',
    env: [['MODE', 'web']],
    dash: ['sidekiq -c 2'],
    bash: ['gunicorn -w 4 app:app'],
  },
  {
    name: '"${@:2}" (bash)',
    script: 'exec "${@:2}"\n',
    args: ['web', 'uvicorn', 'app:app'],
    shells: ['bash'],
    runs: ['uvicorn app:app'],
  },
  {
    name: '#!/usr/bin/env bash runs the script with bash',
    shebang: '#!/usr/bin/env bash',
    script: 'set -euo pipefail\nexec gunicorn -w "${WORKERS:-2}" app:app\n',
    runs: ['gunicorn -w 2 app:app'],
  },
  {
    name: '#!/usr/bin/env sh runs the script with sh',
    shebang: '#!/usr/bin/env sh',
    script: 'set -e\nexport WEB_CONCURRENCY=2\nexec "$@"\n',
    args: ['gunicorn', 'app:app'],
    runs: ['gunicorn app:app'],
  },
  {
    name: '#!/bin/bash -e',
    shebang: '#!/bin/bash -e',
    script: 'W=3\nexec uvicorn --workers "$W" app:app\n',
    runs: ['uvicorn --workers 3 app:app'],
  },
  {
    name: '#!/usr/bin/env -S bash -eu',
    shebang: '#!/usr/bin/env -S bash -eu',
    script: 'W=3\nexec uvicorn --workers "$W" app:app\n',
    runs: ['uvicorn --workers 3 app:app'],
  },
  {
    name: 'a pod-set variable picks the single-process branch (no false deny)',
    script:
      'if [ "${WORKERS:-1}" -gt 1 ]; then\n  exec gunicorn -w "$WORKERS" app:app\nelse\n  exec gunicorn app:app\nfi\n',
    env: [['WORKERS', '1']],
    runs: ['gunicorn app:app'],
  },
  {
    name: 'a pod-set variable picks the multi-process branch',
    script: 'case "$ROLE" in\n  web) exec puma -w "$PUMA_WORKERS" ;;\n  *) exec sidekiq ;;\nesac\n',
    env: [
      ['ROLE', 'web'],
      ['PUMA_WORKERS', '3'],
    ],
    runs: ['puma -w 3'],
  },
  {
    name: "$(python3 -c '…cpu_count()*2+1') is at least 3",
    script:
      'exec gunicorn -w "$(python3 -c \'import multiprocessing; print(multiprocessing.cpu_count() * 2 + 1)\')" app:app\n',
    bounds: [{ run: 0, arg: 1, min: 3 }],
  },
  {
    name: '$((2*$(nproc)+1)) is at least 3',
    script: 'exec gunicorn -w $((2*$(nproc)+1)) app:app\n',
    bounds: [{ run: 0, arg: 1, min: 3 }],
  },
  {
    name: '$(nproc) alone is at least 1',
    script: 'exec uvicorn --workers "$(nproc)" app:app\n',
    bounds: [{ run: 0, arg: 1, min: 1 }],
  },
  {
    name: '$(getconf _NPROCESSORS_ONLN) through a variable is at least 1',
    script: 'CORES=$(getconf _NPROCESSORS_ONLN)\nexec uvicorn --workers "$CORES" app:app\n',
    bounds: [{ run: 0, arg: 1, min: 1 }],
  },
];
