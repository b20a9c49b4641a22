// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, where ${…} is parameter expansion.
import { containerCommands, type SimpleCommand } from '../../src/shell';

const run = (command: unknown[], extra: Record<string, unknown> = {}) =>
  containerCommands({ command, ...extra }, 'c');
const only = (command: unknown[], extra: Record<string, unknown> = {}): SimpleCommand => {
  const r = run(command, extra);
  expect(r.commands).toHaveLength(1);
  return r.commands[0];
};
const texts = (cmd: SimpleCommand) => cmd.argv.map((w) => w.text);

describe('wrappers', () => {
  it.each<[string[], string[], string[]]>([
    [['exec', 'gunicorn', 'app'], ['gunicorn', 'app'], ['exec']],
    [['nohup', 'gunicorn', 'app'], ['gunicorn', 'app'], ['nohup']],
    [['tini', 'gunicorn', 'app'], ['gunicorn', 'app'], ['tini']],
    [['tini', '--', 'gunicorn', 'app'], ['gunicorn', 'app'], ['tini']],
    [['/sbin/tini', '-g', '--', 'gunicorn', 'app'], ['gunicorn', 'app'], ['tini']],
    [['/usr/bin/tini', '-s', '-p', 'SIGTERM', '--', 'gunicorn'], ['gunicorn'], ['tini']],
    [['dumb-init', 'gunicorn', 'app'], ['gunicorn', 'app'], ['dumb-init']],
    [['dumb-init', '--rewrite', '15:2', '--', 'gunicorn'], ['gunicorn'], ['dumb-init']],
    [['gosu', 'app', 'gunicorn', '-w', '2'], ['gunicorn', '-w', '2'], ['gosu']],
    [['su-exec', 'app:app', 'gunicorn'], ['gunicorn'], ['su-exec']],
    [['chpst', '-u', 'app', '-o', '1024', 'gunicorn'], ['gunicorn'], ['chpst']],
    [['setpriv', '--reuid=1000', '--regid', '1000', '--clear-groups', 'gunicorn'], ['gunicorn'], ['setpriv']],
    [
      ['python', '-m', 'uvicorn', 'main:app', '--workers', '2'],
      ['uvicorn', 'main:app', '--workers', '2'],
      ['python -m'],
    ],
    [['python3', '-u', '-m', 'gunicorn', 'app'], ['gunicorn', 'app'], ['python -m']],
    [
      ['/usr/local/bin/python3.12', '-mcelery', '-A', 'x', 'worker'],
      ['celery', '-A', 'x', 'worker'],
      ['python -m'],
    ],
    [['python', '-X', 'dev', '-W', 'ignore', '-m', 'hypercorn', 'app'], ['hypercorn', 'app'], ['python -m']],
    [['uv', 'run', 'gunicorn', 'app'], ['gunicorn', 'app'], ['uv run']],
    [['uv', 'run', '--frozen', '--with', 'x', '--', 'uvicorn', 'app'], ['uvicorn', 'app'], ['uv run']],
    [['uvx', '--from', 'granian', 'granian', 'app'], ['granian', 'app'], ['uvx']],
    [['poetry', 'run', 'gunicorn', 'app'], ['gunicorn', 'app'], ['poetry run']],
    [['pipenv', 'run', 'gunicorn', 'app'], ['gunicorn', 'app'], ['pipenv run']],
    [['pdm', 'run', '-p', '/app', 'gunicorn'], ['gunicorn'], ['pdm run']],
    [['hatch', 'run', 'prod:gunicorn', 'app'], ['gunicorn', 'app'], ['hatch run']],
    [
      ['opentelemetry-instrument', '--traces_exporter', 'otlp', '--service_name=x', 'gunicorn'],
      ['gunicorn'],
      ['opentelemetry-instrument'],
    ],
    [['ddtrace-run', 'gunicorn', 'app'], ['gunicorn', 'app'], ['ddtrace-run']],
    [
      ['newrelic-admin', 'run-program', 'gunicorn', 'app'],
      ['gunicorn', 'app'],
      ['newrelic-admin run-program'],
    ],
    [['doppler', 'run', '--project', 'p', '--', 'gunicorn', 'app'], ['gunicorn', 'app'], ['doppler run']],
    [
      ['npx', 'pm2-runtime', 'start', 'app.js', '-i', 'max'],
      ['pm2-runtime', 'start', 'app.js', '-i', 'max'],
      ['npx'],
    ],
    [['npx', '--yes', 'pm2-runtime', 'app.js'], ['pm2-runtime', 'app.js'], ['npx']],
    [['npm', 'exec', '--', 'pm2', 'start'], ['pm2', 'start'], ['npm exec']],
    [['yarn', 'pm2-runtime', 'app.js'], ['pm2-runtime', 'app.js'], ['yarn']],
    [['yarn', 'node', 'server.js'], ['node', 'server.js'], ['yarn']],
    [['yarn', 'exec', 'pm2', 'start'], ['pm2', 'start'], ['yarn exec']],
    [['yarn', 'start'], ['yarn', 'start'], []],
    [['yarn', 'run', 'serve'], ['yarn', 'run', 'serve'], []],
    [['pnpm', 'exec', 'pm2-runtime', 'app.js'], ['pm2-runtime', 'app.js'], ['pnpm exec']],
    [['bundle', 'exec', 'puma', '-w', '2'], ['puma', '-w', '2'], ['bundle exec']],
    [['timeout', '3600', 'gunicorn'], ['gunicorn'], ['timeout']],
    [['timeout', '-s', 'TERM', '1h', 'gunicorn'], ['gunicorn'], ['timeout']],
    [['nice', '-n', '5', 'gunicorn'], ['gunicorn'], ['nice']],
    [['wait-for-it.sh', 'db:5432', '-t', '30', '--', 'gunicorn'], ['gunicorn'], ['wait-for-it.sh']],
    [['/usr/local/bin/gunicorn', '-w', '2'], ['/usr/local/bin/gunicorn', '-w', '2'], []],
    [['./bin/uvicorn', 'app'], ['./bin/uvicorn', 'app'], []],
  ])('%j', (command, argv, wrappers) => {
    const cmd = only(command);
    expect(texts(cmd)).toEqual(argv);
    expect(cmd.wrappers).toEqual(wrappers);
  });

  it('nests: tini -- sh -c "exec gunicorn …"', () => {
    const cmd = only(['tini', '--', 'sh', '-c', 'exec dumb-init gosu app python -m gunicorn -w 4 app']);
    expect(texts(cmd)).toEqual(['gunicorn', '-w', '4', 'app']);
    expect(cmd.wrappers).toEqual(['tini', 'sh -c', 'exec', 'dumb-init', 'gosu', 'python -m']);
  });

  it('keeps the path of the module word for python -m', () => {
    const cmd = only(['python', '-m', 'uvicorn', 'app']);
    expect(cmd.argv[0]).toEqual({ text: 'uvicorn', path: 'c.command[2]' });
  });

  it('adds env A=B to the command env with the path of the word', () => {
    const cmd = only(['env', 'WEB_CONCURRENCY=4', 'X=$(Y)', 'gunicorn', 'app'], {
      env: [
        { name: 'KEEP', value: '1' },
        { name: 'Y', valueFrom: { secretKeyRef: { name: 's', key: 'y' } } },
      ],
    });
    expect(texts(cmd)).toEqual(['gunicorn', 'app']);
    expect(cmd.env.get('WEB_CONCURRENCY')).toEqual({
      name: 'WEB_CONCURRENCY',
      value: '4',
      path: 'c.command[1]',
    });
    expect(cmd.env.get('X')).toEqual({
      name: 'X',
      unknown: 'Y comes from Secret s key y (valueFrom.secretKeyRef)',
      path: 'c.command[2]',
    });
    expect(cmd.env.get('KEEP')?.value).toBe('1');
  });

  it('env -i clears the environment and env -u removes a variable', () => {
    const env = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    expect([...only(['env', '-i', 'C=3', 'gunicorn'], { env }).env.keys()]).toEqual(['C']);
    expect([...only(['env', '-u', 'A', 'gunicorn'], { env }).env.keys()]).toEqual(['B']);
    // After env -i, an unset variable is known to be empty in a script.
    const cmd = only(['env', '-i', 'sh', '-c', 'gunicorn ${W:-1}']);
    expect(texts(cmd)).toEqual(['gunicorn', '1']);
  });

  it('runs script options: npx -c, doppler run --command, su -c', () => {
    expect(texts(only(['npx', '-c', 'pm2-runtime app.js -i 2']))).toEqual([
      'pm2-runtime',
      'app.js',
      '-i',
      '2',
    ]);
    expect(texts(only(['doppler', 'run', '--command', 'gunicorn -w 2']))).toEqual(['gunicorn', '-w', '2']);
    expect(texts(only(['su', 'app', '-s', '/bin/sh', '-c', 'gunicorn -w 2']))).toEqual([
      'gunicorn',
      '-w',
      '2',
    ]);
  });

  it('does not strip what is not a wrapper', () => {
    expect(texts(only(['python', 'manage.py', 'runserver']))).toEqual(['python', 'manage.py', 'runserver']);
    expect(texts(only(['python', '-c', 'import x']))).toEqual(['python', '-c', 'import x']);
    expect(texts(only(['sh', '/entrypoint.sh', 'gunicorn']))).toEqual(['sh', '/entrypoint.sh', 'gunicorn']);
    expect(texts(only(['npm', 'start']))).toEqual(['npm', 'start']);
    expect(texts(only(['exec']))).toEqual(['exec']);
    expect(texts(only(['env']))).toEqual(['env']);
  });
});
