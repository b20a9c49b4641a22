// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, where ${…} is parameter expansion.
/**
 * Script files read by the shell interpreter (`scriptCommands`), as an image's entrypoint is: with
 * its arguments, the environment its caller exported, and the files it sources.
 */
import { type SimpleCommand, scriptCommands, type Word } from '../../src/shell';

const ENTRYPOINT = `#!/bin/sh
set -e
start_web() {
  exec gunicorn -w "\${WORKERS:-4}" app:app
}
case "$1" in
  web|serve) start_web ;;
  worker) exec celery -A app worker ;;
  *) exec "$@" ;;
esac
`;

const words = (...texts: string[]): Word[] => texts.map((text, i) => ({ text, path: `Dockerfile:${9 + i}` }));
const texts = (c: SimpleCommand) => c.argv.map((w) => w.text);

describe('scriptCommands', () => {
  it('follows the case branch of a known first argument into the function it calls', () => {
    const r = scriptCommands(ENTRYPOINT, { file: 'e.sh', args: words('serve') });
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '4', 'app:app']]);
    expect(r.commands[0].argv[0].path).toBe('e.sh:4');
    expect(r.commands[0].when).toBeUndefined();
  });

  it('passes the arguments through "$@", with their own paths', () => {
    const r = scriptCommands(ENTRYPOINT, {
      file: 'e.sh',
      args: words('uvicorn', 'main:app', '--workers', '2'),
    });
    expect(r.commands.map(texts)).toEqual([['uvicorn', 'main:app', '--workers', '2']]);
    expect(r.commands[0].argv[3]).toEqual({ text: '2', path: 'Dockerfile:12' });
  });

  it('keeps every branch when the first argument is unknown, each saying which pattern decides it', () => {
    const unknown: Word[] = [{ text: '$X', unknown: 'X is not known', path: 'Dockerfile:9' }];
    const r = scriptCommands(ENTRYPOINT, { file: 'e.sh', args: unknown });
    expect(r.commands.map((c) => c.argv[0].text)).toEqual(['gunicorn', 'celery', '$X']);
    expect(r.commands[0].when).toBe('`$1` matches `web|serve`');
  });

  it('reports a syntax error with its line, and reads the commands before it', () => {
    const r = scriptCommands('echo hi\nif true; then\n  exec gunicorn -w 4 app\n', { file: 'bad.sh' });
    // dash runs the commands before the syntax error, then stops.
    expect(r.commands.map(texts)).toEqual([['echo', 'hi']]);
    expect(r.problems).toEqual([
      {
        message:
          'bad.sh has a syntax error at line 4 (`fi` expected): the shell stops there and runs nothing after it',
        path: 'bad.sh:4',
        at: { file: 'bad.sh', line: 4, source: 'script' },
      },
    ]);
  });

  it('does not loop on recursive functions', () => {
    const r = scriptCommands('f() { f; exec gunicorn -w 2 a:b; }\nf\n', { file: 'r.sh' });
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '2', 'a:b']]);
  });

  it('keeps shell variables apart from exported ones', () => {
    const r = scriptCommands(
      '#!/bin/sh\nWORKERS=${WORKERS:-4}\nexport WEB_CONCURRENCY=3\nTHREADS=2\nexec gunicorn -w "$WORKERS" --threads $THREADS app\n',
      { file: 's.sh', env: new Map([['THREADS', { name: 'THREADS', value: '8', path: 'Dockerfile:3' }]]) },
    );
    const [g] = r.commands;
    expect(texts(g)).toEqual(['gunicorn', '-w', '4', '--threads', '2', 'app']);
    expect(g.argv[2].path).toBe('s.sh:2');
    // Exported: WEB_CONCURRENCY; inherited from the environment, so exported: THREADS; not: WORKERS.
    // Each variable says, as data, which line of which script set it.
    expect(g.env.get('WEB_CONCURRENCY')).toEqual({
      name: 'WEB_CONCURRENCY',
      value: '3',
      path: 's.sh:3',
      at: { file: 's.sh', line: 3, source: 'script' },
    });
    expect(g.env.get('THREADS')).toEqual({
      name: 'THREADS',
      value: '2',
      path: 's.sh:4',
      at: { file: 's.sh', line: 4, source: 'script' },
    });
    expect(g.env.has('WORKERS')).toBe(false);
  });

  it('gives functions their own positional parameters and locals', () => {
    const r = scriptCommands(
      'run() { local W=$1; shift; exec gunicorn -w "$W" "$@"; }\nrun 4 app:app --bind :80\n',
      { file: 's.sh', args: words('ignored') },
    );
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '4', 'app:app', '--bind', ':80']]);
  });

  it('reads "${@:2}" and a variable holding a CPU count', () => {
    const r = scriptCommands('W=$(nproc)\nexport WEB_CONCURRENCY=$((W*2))\nexec gunicorn -w $W "${@:2}"\n', {
      file: 's.sh',
      args: words('web', 'app:app', '--bind', ':80'),
    });
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '$W', 'app:app', '--bind', ':80']]);
    // At least 1 CPU: $W may be 1 (a warning), WEB_CONCURRENCY is at least 2 (an error).
    expect(r.commands[0].argv[2].atLeast).toBe(1);
    expect(r.commands[0].env.get('WEB_CONCURRENCY')?.atLeast).toBe(2);
  });

  it('bounds a Python one-liner printing arithmetic over the CPU count', () => {
    const r = scriptCommands(
      "W=$(python3 -c 'import multiprocessing; print(multiprocessing.cpu_count() * 2 + 1)')\nexec gunicorn -w $W app\n",
      { file: 's.sh' },
    );
    expect(r.commands[0].argv[2]).toMatchObject({ atLeast: 3 });
  });

  it('follows shift, set -- and cmd="$@"; exec $cmd', () => {
    const r = scriptCommands('shift\nset -- gunicorn "$@"\ncmd="$@"\nexec $cmd\n', {
      file: 's.sh',
      args: words('web', '-w', '3', 'app'),
    });
    expect(r.commands.map(texts)).toEqual([['gunicorn', '-w', '3', 'app']]);
  });

  it('reads : "${X:=v}", $((…)) and CPU counts with their least value', () => {
    const r = scriptCommands(
      ': "${GUNICORN_WORKERS:=2}"\nexport NUM=$((2*$(nproc --all)+1))\nN=$(nproc)\ngunicorn -w $GUNICORN_WORKERS --threads $((N*2)) --x $NUM\n',
      { file: 's.sh' },
    );
    const argv = r.commands[0].argv;
    expect(argv[2].text).toBe('2');
    expect(argv[4]).toMatchObject({ text: '$(($(nproc)*2))', atLeast: 2 });
    expect(r.commands[0].env.get('NUM')).toMatchObject({ atLeast: 3 });
  });

  it('sources a file in the current shell, and decides if/[ ] on known values', () => {
    const files: Record<string, string> = { '/app/env.sh': 'W=5\nexport MODE=prod\n' };
    const r = scriptCommands(
      '. /app/env.sh\nif [ "$MODE" = prod ] && [ $W -gt 1 ]; then exec gunicorn -w $W app; else exec flask run; fi\n',
      { file: 's.sh', source: (p) => (files[p] ? { path: p.slice(1), text: files[p] } : undefined) },
    );
    expect(r.commands.map(texts)).toEqual([
      ['[', 'prod', '=', 'prod', ']'],
      ['[', '5', '-gt', '1', ']'],
      ['gunicorn', '-w', '5', 'app'],
    ]);
    expect(r.commands[2].argv[2].path).toBe('app/env.sh:1');
  });

  it('says a variable assigned in a loop is unknown because of the loop', () => {
    const r = scriptCommands('for n in 1 2 3; do W=$n; done\ngunicorn -w $W app\n', { file: 's.sh' });
    expect(r.commands[0].argv[2].unknown).toBe(
      'W is assigned in the loop at s.sh:1, so its value depends on the iteration',
    );
    const counted = scriptCommands('W=1\nwhile [ -n "$X" ]; do W=$((W+1)); done\ngunicorn -w $W app\n', {
      file: 's.sh',
    });
    expect(counted.commands[1].argv[2].unknown).toBe(
      'W is assigned in the loop at s.sh:2, so its value depends on the iteration',
    );
  });
});
