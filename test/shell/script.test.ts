// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, where ${…} is parameter expansion.
import { SERVER_MENTION } from '../../src/servers/registry';
import { containerCommands, type SimpleCommand } from '../../src/shell';

const P = 'spec.containers[0]';
// The words that make an unreadable line matter, as oneproc passes them: the servers of its registry.
const run = (container: unknown) => containerCommands(container, P, undefined, { mentions: SERVER_MENTION });
const texts = (cmd: SimpleCommand) => cmd.argv.map((w) => w.text);
const script = (s: string, extra: Record<string, unknown> = {}) =>
  run({ command: ['sh', '-c', s], ...extra });

describe('sh -c scripts', () => {
  it('splits on &&, ||, ;, |, & and newlines, every word keeping the script path', () => {
    const r = script('cd /app && echo hi || true; migrate | tee log & sleep 1\nexec gunicorn -w 4 app:app');
    expect(r.commands.map(texts)).toEqual([
      ['cd', '/app'],
      ['echo', 'hi'],
      ['migrate'],
      ['tee', 'log'],
      ['sleep', '1'],
      ['gunicorn', '-w', '4', 'app:app'],
    ]);
    const last = r.commands[5];
    expect(last.wrappers).toEqual(['sh -c', 'exec']);
    expect(last.argv.every((w) => w.path === `${P}.command[2]`)).toBe(true);
    expect(r.problems).toEqual([]);
  });

  it.each([
    [['sh', '-c']],
    [['bash', '-lc']],
    [['/bin/bash', '-ec']],
    [['bash', '-l', '-c']],
    [['/bin/sh', '-eu', '-c']],
    [['bash', '-euxo', 'pipefail', '-c']],
    [['ash', '-x', '-c']],
    [['dash', '-c', '--']],
  ])('reads %j', (prefix) => {
    const r = run({ command: [...prefix, 'set -e\nexec uvicorn main:app --workers 2'] });
    expect(r.commands.map(texts)).toEqual([['uvicorn', 'main:app', '--workers', '2']]);
    expect(r.commands[0].argv[0].path).toBe(`${P}.command[${prefix.length}]`);
  });

  it('reads the script from args after command: [sh, -c]', () => {
    const r = run({ command: ['sh', '-c'], args: ['gunicorn -w 2 app'] });
    expect(r.commands[0].argv[2]).toEqual({ text: '2', path: `${P}.args[0]` });
  });

  it('handles quotes, escapes, comments and line continuations', () => {
    const r = script(
      '# start the server\ngunicorn \'app:create()\' "--bind=0.0.0.0:80" \\\n  --log-level=info # trailing comment\necho a#b',
    );
    expect(r.commands.map(texts)).toEqual([
      ['gunicorn', 'app:create()', '--bind=0.0.0.0:80', '--log-level=info'],
      ['echo', 'a#b'],
    ]);
  });

  it('drops redirections with their targets, including file descriptors', () => {
    const r = script('gunicorn -w 2 app >/var/log/x 2>&1 </dev/null');
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '2', 'app']]);
  });

  it('resolves $VAR and ${VAR} from literal env, and splits unquoted values into words', () => {
    const r = script('gunicorn -w $W --threads=${T} $ARGS "$ARGS" app', {
      env: [
        { name: 'W', value: '4' },
        { name: 'T', value: '2' },
        { name: 'ARGS', value: '--reload  -k gevent' },
      ],
    });
    expect(texts(r.commands[0])).toEqual([
      'gunicorn',
      '-w',
      '4',
      '--threads=2',
      '--reload',
      '-k',
      'gevent',
      '--reload  -k gevent',
      'app',
    ]);
    expect(r.commands[0].argv.some((w) => w.unknown)).toBe(false);
    // A word that is wholly one variable's value points at the field that holds the value.
    expect(r.commands[0].argv[2]).toEqual({ text: '4', path: `${P}.env[0].value` });
    expect(r.commands[0].argv[3]).toEqual({ text: '--threads=2', path: `${P}.command[2]` });
  });

  it('keeps unknown variables as written, never as empty strings', () => {
    const r = script(
      'uvicorn app --workers $WORKERS --port "${PORT}" --x=${X:-4} $(nproc) `nproc` $((2*$(nproc)+1))',
    );
    expect(r.commands[0].argv.slice(3)).toEqual([
      {
        text: '$WORKERS',
        unknown: "WORKERS is not set in the container's env (the image may set it)",
        path: `${P}.command[2]`,
      },
      { text: '--port', path: `${P}.command[2]` },
      {
        text: '${PORT}',
        unknown: "PORT is not set in the container's env (the image may set it)",
        path: `${P}.command[2]`,
      },
      // X is set nowhere the pod shows: the script's default applies.
      { text: '--x=4', path: `${P}.command[2]` },
      // The number of CPUs: unknown, but at least 1 on any node.
      {
        text: '$(nproc)',
        unknown: 'the command substitution $(nproc) runs only in the container',
        atLeast: 1,
        path: `${P}.command[2]`,
      },
      {
        text: '`nproc`',
        unknown: 'the command substitution `nproc` runs only in the container',
        atLeast: 1,
        path: `${P}.command[2]`,
      },
      {
        text: '$((2*$(nproc)+1))',
        unknown: 'the shell arithmetic $((2*$(nproc)+1)) is evaluated only in the container',
        // A node has at least one CPU, so this is at least 3 wherever it runs.
        atLeast: 3,
        path: `${P}.command[2]`,
      },
    ]);
  });

  it('applies ${VAR:-default}, ${VAR-default}, ${VAR:=default} and ${VAR:+alt} to known variables', () => {
    const r = script('x ${A:-1} ${E:-2} ${E-3} ${A:+on} ${E:+on} ${#A}\nunset U; y ${U:-5} ${U:=6} $U', {
      env: [
        { name: 'A', value: '9' },
        { name: 'E', value: '' },
      ],
    });
    expect(r.commands.map(texts)).toEqual([
      ['x', '9', '2', 'on', '1'],
      ['y', '5', '6', '6'],
    ]);
  });

  it('sees assignments and exports made earlier in the script', () => {
    const r = script('W=3\nexport T=2\nA=1 B=$W gunicorn -w $W --threads $T app\nother', {
      env: [{ name: 'KEEP', value: 'k' }],
    });
    const [gunicorn, other] = r.commands;
    expect(texts(gunicorn)).toEqual(['gunicorn', '-w', '3', '--threads', '2', 'app']);
    expect(gunicorn.env.get('A')).toEqual({ name: 'A', value: '1', path: `${P}.command[2]` });
    expect(gunicorn.env.get('B')).toEqual({ name: 'B', value: '3', path: `${P}.command[2]` });
    expect(gunicorn.env.get('T')).toEqual({ name: 'T', value: '2', path: `${P}.command[2]` });
    // W was never exported: the shell sees it, its children do not.
    expect(gunicorn.env.has('W')).toBe(false);
    expect(other.env.has('A')).toBe(false);
    expect(other.env.get('KEEP')).toEqual({ name: 'KEEP', value: 'k', path: `${P}.env[0].value` });
  });

  it('keeps the reason of a valueFrom variable used in a script', () => {
    const r = script('exec gunicorn -w "$WEB_CONCURRENCY" -w $(W) app', {
      env: [
        { name: 'WEB_CONCURRENCY', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        { name: 'W', valueFrom: { configMapKeyRef: { name: 'cm', key: 'w' } } },
      ],
    });
    expect(r.commands[0].argv.slice(1)).toEqual([
      { text: '-w', path: `${P}.command[2]` },
      {
        text: '$WEB_CONCURRENCY',
        unknown: 'WEB_CONCURRENCY comes from Secret s key k (valueFrom.secretKeyRef)',
        path: `${P}.command[2]`,
      },
      { text: '-w', path: `${P}.command[2]` },
      {
        text: '$(W)',
        unknown: 'W comes from ConfigMap cm key w (valueFrom.configMapKeyRef)',
        path: `${P}.command[2]`,
      },
      { text: 'app', path: `${P}.command[2]` },
    ]);
  });

  it('says an unset variable may come from envFrom', () => {
    const r = script('gunicorn -w $WORKERS', { envFrom: [{ configMapRef: { name: 'app' } }] });
    expect(r.commands[0].argv[2].unknown).toBe(
      'WORKERS may come from envFrom (ConfigMap app, spec.containers[0].envFrom[0])',
    );
  });

  it('passes positional parameters to "$@" with their own paths', () => {
    const r = run({
      command: ['sh', '-c', 'exec gunicorn "$@"', 'gunicorn-sh'],
      args: ['-w', '4', 'app:app'],
    });
    expect(r.commands[0].argv).toEqual([
      { text: 'gunicorn', path: `${P}.command[2]` },
      { text: '-w', path: `${P}.args[0]` },
      { text: '4', path: `${P}.args[1]` },
      { text: 'app:app', path: `${P}.args[2]` },
    ]);
    const one = run({ command: ['sh', '-c', 'gunicorn -w $1 app', 'x', '3'] });
    expect(one.commands[0].argv[2]).toEqual({ text: '3', path: `${P}.command[4]` });
  });

  it('reads if/then/fi, loops, subshells, groups and functions', () => {
    const r = script(
      'if [ -n "$DEBUG" ]; then\n  uvicorn app --reload\nelse\n  gunicorn -w 4 app\nfi\n' +
        'for i in 1 2; do echo $i; done\n(cd /app && exec puma -w 2)\n{ celery worker; }\nstart() { hypercorn app; }\nstart',
    );
    // A function's body runs where it is called, not where it is defined (XCU 2.9.5); `$i` holds a
    // different value on each pass of the loop, so it is unknown.
    expect(r.commands.map(texts)).toEqual([
      ['[', '-n', '$DEBUG', ']'],
      ['uvicorn', 'app', '--reload'],
      ['gunicorn', '-w', '4', 'app'],
      ['echo', '$i'],
      ['cd', '/app'],
      ['puma', '-w', '2'],
      ['celery', 'worker'],
      ['hypercorn', 'app'],
    ]);
    // DEBUG may be set by the image: each side says which condition decides it.
    expect(r.commands[1].when).toBe(`\`[ -n $DEBUG ]\` (${P}.command[2]) succeeds`);
    expect(r.commands[2].when).toBe(`\`[ -n $DEBUG ]\` (${P}.command[2]) fails`);
    expect(r.commands[3].argv[1].unknown).toContain('assigned by the `for` loop');
  });

  it('goes on after a function that returns early under an undecided condition and exits otherwise', () => {
    // `return` ends the function, not the script: the caller goes on from the side that returned.
    const r = script(
      'check() {\n  if id -un >/dev/null 2>&1; then\n    return 0\n  fi\n  echo no user\n  exit 1\n}\n' +
        'check\nexec gunicorn --workers 4 app:app\n',
    );
    expect(r.commands.map(texts)).toContainEqual(['gunicorn', '--workers', '4', 'app:app']);
    // A variable the early return leaves different from the end of the body is unknown after the call.
    const v = script(
      'pick() {\n  W=2\n  if [ -f /etc/big ]; then\n    return 0\n  fi\n  W=8\n}\npick\nexec gunicorn -w "$W" app:app\n',
    );
    const gunicorn = v.commands.find((c) => c.argv[0].text === 'gunicorn');
    expect(gunicorn?.argv[2].unknown).toContain(
      'W is set differently depending on whether pick returns early',
    );
    // Every side exits: nothing runs after the call.
    const gone = script(
      'stop() {\n  if [ -f /x ]; then exit 0; fi\n  exit 1\n}\nstop\nexec gunicorn -w 4 app:app\n',
    );
    expect(gone.commands.map(texts)).not.toContainEqual(['gunicorn', '-w', '4', 'app:app']);
  });

  it('ends the script at exec, which replaces the shell', () => {
    const r = script('exec gunicorn -w 4 app\ncelery worker');
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '4', 'app']]);
  });

  it('reads case branches without taking patterns for commands', () => {
    const r = script(
      'case "$ROLE" in\n  web|api) exec gunicorn -w 4 app ;;\n  worker) exec celery -A x worker ;;\n  *) echo no ;;\nesac',
    );
    expect(r.commands.map(texts)).toEqual([
      ['gunicorn', '-w', '4', 'app'],
      ['celery', '-A', 'x', 'worker'],
      ['echo', 'no'],
    ]);
  });

  it('skips here-document bodies, and reports one fed to a shell only when it starts a server', () => {
    const r = script(
      'cat > /etc/g.py <<EOF\nworkers = 4\ngunicorn -w 8\nEOF\nexec gunicorn -c /etc/g.py app',
    );
    expect(r.commands.map(texts)).toEqual([['cat'], ['gunicorn', '-c', '/etc/g.py', 'app']]);
    expect(r.problems).toEqual([]);
    const fed = script("sh <<'END'\nexec gunicorn -w 3 app\nEND");
    expect(fed.problems).toEqual([
      {
        message:
          'A shell script mentioning gunicorn feeds a here-document to sh, which oneproc does not read',
        path: `${P}.command[2]`,
      },
    ]);
    expect(script('sh <<END\necho hello\nEND').problems).toEqual([]);
  });

  it('reports unclosed quotes only when the rest mentions a server', () => {
    expect(script('echo "unclosed gunicorn -w 4').problems).toEqual([
      {
        message:
          'A shell script mentioning gunicorn leaves a double quote unclosed, so the shell would not run it as written',
        path: `${P}.command[2]`,
      },
    ]);
    expect(script("echo 'harmless").problems).toEqual([]);
  });

  it('runs eval on known text and reports eval of unknown text that mentions a server', () => {
    const r = script('CMD="gunicorn -w 2 app"\neval "$CMD"\n$CMD');
    expect(r.commands.map(texts)).toEqual([
      ['gunicorn', '-w', '2', 'app'],
      ['gunicorn', '-w', '2', 'app'],
    ]);
    const unknown = script('eval "gunicorn $OPTS"');
    expect(unknown.problems).toHaveLength(1);
    expect(unknown.problems[0].message).toContain('runs `eval` on a value that is not known here');
  });

  it('sets positional parameters with set -- and shift', () => {
    const r = script('set -- -w 4\nshift\ngunicorn -w "$@"');
    expect(texts(r.commands[0])).toEqual(['gunicorn', '-w', '4']);
  });

  it('parses nested sh -c scripts with their own variables', () => {
    const r = run({ command: ['tini', '--', 'sh', '-c', 'W=3 exec sh -c "exec gunicorn -w \\$W app"'] });
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '3', 'app']]);
    expect(r.commands[0].wrappers).toEqual(['tini', 'sh -c', 'exec', 'sh -c', 'exec']);
  });

  it('treats a script that comes whole from a Secret as one unknown word', () => {
    const r = run({
      command: ['sh', '-c', '$(SCRIPT)'],
      env: [{ name: 'SCRIPT', valueFrom: { secretKeyRef: { name: 's', key: 'run' } } }],
    });
    expect(r.commands[0].argv).toEqual([
      {
        text: '$(SCRIPT)',
        unknown: 'SCRIPT comes from Secret s key run (valueFrom.secretKeyRef)',
        path: `${P}.command[2]`,
      },
    ]);
  });

  it('does not report harmless unreadable lines', () => {
    expect(script('echo "${x"').problems).toEqual([]);
    expect(script('echo $(( 1 +').problems).toEqual([]);
  });

  it('reports every unreadable line when its caller names no words that matter', () => {
    const r = containerCommands({ command: ['sh', '-c', "sh <<'END'\necho hello\nEND\necho 'harmless"] }, P);
    expect(r.problems.map((p) => p.message)).toEqual([
      'A shell script feeds a here-document to sh, which oneproc does not read',
      'A shell script leaves a single quote unclosed, so the shell would not run it as written',
    ]);
  });

  it('names the words its caller passes, and keeps no state between scripts with a global pattern', () => {
    const mentions = /\b(app-server)\b/g;
    for (let i = 0; i < 3; i++) {
      const r = containerCommands({ command: ['sh', '-c', "echo 'app-server -w 4"] }, P, undefined, {
        mentions,
      });
      expect(r.problems.map((p) => p.message)).toEqual([
        'A shell script mentioning app-server leaves a single quote unclosed, so the shell would not run it as written',
      ]);
    }
  });

  it('evaluates constant arithmetic and substitutes known variables into CPU formulas', () => {
    const r = script('g $((2*W)) $(( (W+1) % 2 )) $(( W * $(nproc) + 1 )) $((X+1)) $((Z))', {
      env: [
        { name: 'W', value: '2' },
        { name: 'Z', value: 'abc' },
      ],
    });
    expect(r.commands[0].argv.slice(1)).toEqual([
      { text: '4', path: `${P}.command[2]` },
      { text: '1', path: `${P}.command[2]` },
      {
        text: '$(( 2 * $(nproc) + 1 ))',
        unknown: 'the shell arithmetic $(( 2 * $(nproc) + 1 )) is evaluated only in the container',
        atLeast: 3,
        path: `${P}.command[2]`,
      },
      {
        text: '$((X+1))',
        unknown: "X is not set in the container's env (the image may set it)",
        path: `${P}.command[2]`,
      },
      { text: '$((Z))', unknown: 'Z is not a number (abc)', path: `${P}.command[2]` },
    ]);
  });

  it('reads $(nproc) as a command substitution even when envFrom is present', () => {
    const r = script('gunicorn -w $(nproc) -w $(W)', { envFrom: [{ configMapRef: { name: 'c' } }] });
    expect(r.commands[0].argv.slice(2).map((w) => w.unknown)).toEqual([
      'the command substitution $(nproc) runs only in the container',
      undefined,
      'W may come from envFrom (ConfigMap c, spec.containers[0].envFrom[0])',
    ]);
  });

  it('stops trusting absent variables after the script sources a file or reads input', () => {
    const r = script('. /app/.env\nexec gunicorn -w ${WORKERS:-2} --threads $T app', {
      env: [{ name: 'T', value: '4' }],
    });
    expect(texts(r.commands[0])).toEqual(['.', '/app/.env']);
    expect(r.commands[1].argv.slice(2)).toEqual([
      {
        text: '${WORKERS:-2}',
        unknown: "WORKERS is not set in the container's env, but `. /app/.env` may set it; if it is not, 2",
        path: `${P}.command[2]`,
      },
      { text: '--threads', path: `${P}.command[2]` },
      { text: '4', path: `${P}.env[0].value` },
      { text: 'app', path: `${P}.command[2]` },
    ]);
    const activate = script('. /app/.venv/bin/activate && gunicorn -w ${W:-2} app');
    expect(texts(activate.commands[1])).toEqual(['gunicorn', '-w', '2', 'app']);
    // dash (Debian's /bin/sh) has no `source` builtin: "source: not found", so `&&` stops there.
    expect(script('source /app/.venv/bin/activate && gunicorn -w 2 app').commands).toEqual([]);
    const bash = run({
      command: ['bash', '-c', 'source /app/.venv/bin/activate && gunicorn -w ${W:-2} app'],
    });
    expect(texts(bash.commands[1])).toEqual(['gunicorn', '-w', '2', 'app']);
    const exported = script('export $(grep -v ^# .env | xargs) && gunicorn -w ${W:-2}');
    expect(exported.commands[0].argv[2].unknown).toMatch(
      /^W is not set in the container's env, but `export \$\(grep/,
    );
    const read = script('read W < /etc/workers; gunicorn -w $W');
    expect(read.commands[0].argv[2].unknown).toBe('W is read from input when the container starts');
  });
});

describe('long scripts', () => {
  // One line mixing every operator the reader cuts long lines at with the places it must not cut:
  // quotes, escapes, `case` arms, pipelines and `[[ … ]]`.
  const tricky =
    `echo 'a; b && c' "x || y" a\\;b && [[ -n "$A" && -z "$B" ]] || ` +
    `case "$1" in web|api) exec gunicorn -w "2;3" app ;; worker) celery -A app worker ;; esac; ` +
    `migrate | tee log; uvicorn main:app --workers 4 && hypercorn 'a&&b' -w 2`;

  it('reads a line of more than 8 KiB in pieces, with the same commands as when it is short', () => {
    const short = script(tricky);
    const long = script(`${'true; '.repeat(3000)}${tricky}`);
    // dash has no `[[` (so `|| case …` runs) and $1 is unset (so no arm matches): five commands.
    expect(short.commands.length).toBe(5);
    expect(long.commands.map(texts)).toEqual(short.commands.map(texts));
    expect(long.problems).toEqual(short.problems);
  });

  it('stops reading after one command more than the engine judges', () => {
    // 126,000 characters: a script the kernel passes (one argument of at most 128 KiB).
    // (Separated by `;`: a list that ends in `&&` is a syntax error, and dash runs none of it.)
    const r = script('gunicorn -w 2 app; '.repeat(6000));
    expect(r.commands).toHaveLength(1001);
    expect(texts(r.commands[1000])).toEqual(['gunicorn', '-w', '2', 'app']);
  });
});

describe('expansion as dash and bash do it (found by running both)', () => {
  const words = (s: string, args: string[] = [], shell = 'sh') =>
    run({ command: [shell, '-c', s, 'sh', ...args] }).commands.map(texts);

  it('splits unquoted $*, $@ and $1 again, and "$@" with no parameters is no word', () => {
    expect(words('exec celery $* $1 "$1" "$*"', ['-w 3', 'b'])).toEqual([
      ['celery', '-w', '3', 'b', '-w', '3', '-w 3', '-w 3 b'],
    ]);
    expect(words('exec celery "$@" x')).toEqual([['celery', 'x']]);
  });

  it("expands a command's words before its assignments", () => {
    const r = script('G=; APP="$G" exec daphne "${G:=--preload}"');
    expect(r.commands[0].env.get('APP')?.value).toBe('--preload');
  });

  it('drops the export attribute with unset', () => {
    const r = script('OPTS=a; export OPTS; unset OPTS; OPTS=web; exec gunicorn app');
    expect(r.commands[0].env.has('OPTS')).toBe(false);
  });

  it("stops a dash script at a shift past the arguments, and reads $'…' only in bash", () => {
    expect(words('f() { shift; }; f; exec rq worker')).toEqual([]);
    expect(words('f() { shift; }; f; exec rq worker', [], 'bash')).toEqual([['rq', 'worker']]);
    expect(words("exec gunicorn $'2'")).toEqual([['gunicorn', '$2']]);
    expect(words("exec gunicorn $'2'", [], 'bash')).toEqual([['gunicorn', '2']]);
  });
});
