/** supervisord's config dialect and its reader, without the CLI: what each `[program:x]` becomes. */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { SERVER_MENTION } from '../../src/servers/registry';
import { shlexSplit, supervisordReader } from '../../src/servers/supervisord/config';
import type { Env, SimpleCommand } from '../../src/shell/types';
import { iniGet, readIni } from '../../src/sources/config/configparser';
import type { Expansion, SourceContext } from '../../src/sources/types';

/** The reader as the registry builds it. */
const supervisordConfig = supervisordReader(SERVER_MENTION);

describe('readIni (configparser as supervisord sets it up)', () => {
  const text = [
    '; a comment',
    '[DEFAULT]',
    'autostart = false',
    '[program:web]',
    'command: sh -c "a;b" ; runs two commands',
    '  --extra#x #not a comment here# # but this is',
    'NUMPROCS=2',
    '[program:web]',
    'numprocs=3',
    'autostart=true',
    '[program:other]',
    'command=x',
  ].join('\n');
  const sections = readIni(text, 'sv.conf');

  it('reads `key: value`, continuation lines and inline comments the way configparser does', () => {
    expect(iniGet(sections, 'program:web', 'command')).toEqual({
      value: 'sh -c "a;b"\n--extra#x',
      file: 'sv.conf',
      line: 5,
    });
  });

  it('merges a repeated section, the last value winning, keys folded to lower case', () => {
    expect(iniGet(sections, 'program:web', 'numprocs')).toEqual({ value: '3', file: 'sv.conf', line: 9 });
    expect(iniGet(sections, 'program:web', 'autostart')?.value).toBe('true');
    expect([...sections.keys()]).toEqual(['DEFAULT', 'program:web', 'program:other']);
  });

  it("reads every value as supervisor's own parser does (Debian's supervisor 4.2.5)", () => {
    const script = [
      'import json, sys',
      "sys.path.insert(0, '/usr/lib/python3/dist-packages')",
      'from supervisor.options import UnhosedConfigParser',
      'p = UnhosedConfigParser()',
      'p.read_string(sys.stdin.read())',
      'print(json.dumps({s: dict(p.items(s)) for s in p.sections()}))',
    ].join('\n');
    const python = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' });
    expect(python.stderr).toBe('');
    const theirs = JSON.parse(python.stdout) as Record<string, Record<string, string>>;
    const ours = Object.fromEntries(
      [...sections.keys()]
        .filter((name) => name !== 'DEFAULT')
        .map((name) => {
          const keys = new Set([
            ...(sections.get(name)?.keys() ?? []),
            ...(sections.get('DEFAULT')?.keys() ?? []),
          ]);
          return [name, Object.fromEntries([...keys].map((k) => [k, iniGet(sections, name, k)?.value]))];
        }),
    );
    expect(ours).toEqual(theirs);
  });

  it('falls back to [DEFAULT]', () => {
    expect(iniGet(sections, 'program:other', 'autostart')).toEqual({
      value: 'false',
      file: 'sv.conf',
      line: 3,
    });
  });
});

describe('shlexSplit', () => {
  it.each([
    ['gunicorn -w 4 app:app', ['gunicorn', '-w', '4', 'app:app']],
    [`sh -c "exec gunicorn -w \\"$W\\" app"`, ['sh', '-c', 'exec gunicorn -w "$W" app']],
    [`echo 'a  b' c\\ d "e\\n"`, ['echo', 'a  b', 'c d', 'e\\n']],
    ['a;b | c', ['a;b', '|', 'c']],
    ['  ', []],
  ])('%s', (text, words) => {
    expect(shlexSplit(text)).toEqual(words);
  });

  it("splits as Python's shlex.split does", () => {
    const samples = [
      `a "b c" 'd e' f\\ g`,
      `sh -c 'echo "$HOME" \\$x'`,
      `x="a b"c 'it''s' "q\\"q" "\\\\" "\\n"`,
      `tab\tsep\nline #not-a-comment`,
      `"" '' a""b`,
    ];
    const python = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import json, shlex, sys; print(json.dumps([shlex.split(s) for s in json.load(sys.stdin)]))'],
      { input: JSON.stringify(samples), encoding: 'utf8' },
    );
    expect(python.stderr).toBe('');
    expect(samples.map(shlexSplit)).toEqual(JSON.parse(python.stdout));
  });

  it('refuses an unclosed quote, as shlex does', () => {
    expect(shlexSplit('gunicorn "app')).toBeUndefined();
  });
});

describe('supervisordConfig', () => {
  const files: Record<string, string> = {};
  const ctx: SourceContext = {
    workdir: '/',
    readFile: (name) => {
      const abs = name.startsWith('/') ? name : `/${name}`;
      return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
    },
    listFiles: (dir) => {
      const names = Object.keys(files)
        .filter((f) => f.slice(0, f.lastIndexOf('/')) === dir)
        .map((f) => f.slice(f.lastIndexOf('/') + 1));
      return names.length > 0 ? names : undefined;
    },
  };
  const env = (vars: Record<string, string | undefined>): Env =>
    new Map(
      Object.entries(vars).map(([name, value]) => [
        name,
        value === undefined
          ? { name, unknown: `${name} comes from a Secret`, path: 'deploy.yaml:9' }
          : { name, value, path: 'Dockerfile:3' },
      ]),
    );
  const run = (argv: string[], vars: Record<string, string | undefined> = {}) =>
    supervisordConfig.expand(
      { argv: argv.map((text) => ({ text, path: 'Dockerfile:5' })), env: env(vars), wrappers: [] },
      ctx,
    ) as Expansion | undefined;
  const words = (c: SimpleCommand) => c.argv.map((w) => (w.unknown ? `?${w.text}` : w.text)).join(' ');

  beforeEach(() => {
    for (const key of Object.keys(files)) delete files[key];
  });

  it('expands %(ENV_X)s, %(program_name)s and %(process_num)02d, and adds environment= to the env', () => {
    files['/etc/supervisord.conf'] = [
      '[supervisord]',
      'environment=MODE="prod"',
      '[program:api]',
      'command=gunicorn -w %(ENV_WORKERS)s --name %(program_name)s-%(process_num)02d app:app',
      'environment=A="1",B=%(ENV_MODE)s',
      'directory=/srv',
    ].join('\n');
    const expansion = run(['supervisord', '-c', '/etc/supervisord.conf'], { WORKERS: '4' });
    expect(expansion?.programs?.map((p) => [words(p.command), p.workdir])).toEqual([
      ['gunicorn -w 4 --name api-00 app:app', '/srv'],
    ]);
    const programEnv = expansion?.programs?.[0].command.env;
    expect(programEnv?.get('B')).toEqual({
      name: 'B',
      value: 'prod',
      path: 'etc/supervisord.conf:5',
      at: { file: 'etc/supervisord.conf', line: 5, source: 'config', key: 'environment' },
    });
    expect(programEnv?.get('MODE')?.path).toBe('etc/supervisord.conf:2');
    expect(expansion?.programs?.[0].command.argv[2].path).toBe('etc/supervisord.conf:4');
  });

  it('keeps a word unknown when its %(ENV_X)s is unknown or missing (supervisord stops without it)', () => {
    files['/etc/supervisord.conf'] = '[program:a]\ncommand=gunicorn -w %(ENV_W)s --bind=:%(ENV_PORT)s app\n';
    const expansion = run(['supervisord'], { W: undefined });
    const argv = expansion?.programs?.[0].command.argv ?? [];
    expect(argv.map((w) => [w.text, w.unknown])).toEqual([
      ['gunicorn', undefined],
      ['-w', undefined],
      ['%(ENV_W)s', 'W comes from a Secret'],
      [
        '--bind=:%(ENV_PORT)s',
        "PORT is not set in the container's env, and supervisord stops on %(ENV_PORT)s without it",
      ],
      ['app', undefined],
    ]);
  });

  it('does not start autostart=false or numprocs=0 programs, and reads an fcgi-program numprocs through %(ENV_X)s', () => {
    files['/supervisord.conf'] = [
      '[program:off]',
      'command=gunicorn -w 4 app',
      'autostart=False',
      '[program:none]',
      'command=gunicorn -w 4 app',
      'numprocs=0',
      '[fcgi-program:copies]',
      'socket=tcp://127.0.0.1:9000',
      'command=node server.js',
      'numprocs=%(ENV_COPIES)s',
      'process_name=%(program_name)s_%(process_num)s',
    ].join('\n');
    const expansion = run(['supervisord', '-n'], { COPIES: '5' });
    // The decision's place: the numprocs line, as data.
    const NUMPROCS_AT = { file: 'supervisord.conf', line: 10, source: 'config', key: 'numprocs' };
    expect(expansion?.programs?.map((p) => words(p.command))).toEqual(['node server.js']);
    expect(expansion?.decisions?.map((d) => [d.rule, d.decision])).toEqual([
      [
        'supervisord',
        {
          outcome: 'multiple',
          workers: 5,
          evidence: 'numprocs = %(ENV_COPIES)s',
          path: 'supervisord.conf:10',
          at: NUMPROCS_AT,
          why: '[fcgi-program:copies] runs 5 copies of `node server.js`',
        },
      ],
    ]);
    const unknown = run(['supervisord', '-n'], { COPIES: undefined });
    expect(unknown?.decisions?.[0].decision).toEqual({
      outcome: 'unknown',
      evidence: 'numprocs = %(ENV_COPIES)s',
      path: 'supervisord.conf:10',
      at: NUMPROCS_AT,
      why: 'COPIES comes from a Secret',
    });
  });

  it("does not count copies of programs oneproc never judges (nginx), and reads Debian's packaged config", () => {
    files['/etc/supervisor/conf.d/proxy.conf'] =
      '[program:nginx]\ncommand=nginx -g "daemon off;"\nnumprocs=2\n';
    files['/etc/supervisor/conf.d/notes.txt'] = '[program:x]\ncommand=gunicorn -w 9 app\n';
    const expansion = run(['/usr/bin/supervisord', '-n']);
    expect(expansion?.programs?.map((p) => words(p.command))).toEqual(['nginx -g daemon off;']);
    expect(expansion?.decisions).toEqual([]);
    expect(expansion?.chain).toEqual(["/etc/supervisor/supervisord.conf (Debian's packaged file)"]);
  });

  it("finds pip's /usr/local/etc/supervisord.conf for a bare supervisord, before the working directory's", () => {
    files['/usr/local/etc/supervisord.conf'] = '[program:a]\ncommand=uvicorn app:app --workers 2\n';
    files['/supervisord.conf'] = '[program:b]\ncommand=uvicorn app:app\n';
    expect(run(['supervisord'])?.chain).toEqual(['usr/local/etc/supervisord.conf']);
    expect(run(['/usr/bin/supervisord'])?.chain).toEqual(['supervisord.conf']);
  });

  it('adds nothing for other programs, an unknown -c, or a config it cannot find', () => {
    expect(run(['supervisorctl', 'status'])).toBeUndefined();
    expect(run(['supervisord', '-c', '/missing.conf'])).toBeUndefined();
    expect(
      supervisordConfig.expand(
        {
          argv: [
            { text: 'supervisord', path: 'p' },
            { text: '-c', path: 'p' },
            { text: '$(X)', unknown: 'X', path: 'p' },
          ],
          env: new Map(),
          wrappers: [],
        },
        ctx,
      ),
    ).toBeUndefined();
  });

  it('matches [include] patterns as Python fnmatch does, without backtracking on many stars', () => {
    const names = ['a.conf', 'b.ini', '.hidden.conf', 'web-1.conf', 'x]y.conf', 'a'.repeat(200)];
    const patterns = [
      '*.conf',
      '?.conf',
      '[ab].*',
      '[!a]*.conf',
      'web-[0-9].conf',
      '*]*',
      `${'*a'.repeat(12)}b`,
    ];
    const python = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import json, fnmatch, sys; n, ps = json.load(sys.stdin); print(json.dumps([[x for x in sorted(n) if (not x.startswith(".") or p.startswith(".")) and fnmatch.fnmatchcase(x, p)] for p in ps]))',
      ],
      { input: JSON.stringify([names, patterns]), encoding: 'utf8' },
    );
    expect(python.stderr).toBe('');
    for (const name of names) files[`/etc/conf.d/${name}`] = `[program:${name}]\ncommand=sleep 1\n`;
    const ours = patterns.map((pattern) => {
      files['/etc/supervisord.conf'] = `[include]\nfiles = conf.d/${pattern}\n`;
      // Each program's words point at its file: etc/conf.d/NAME:2.
      return (run(['supervisord', '-c', '/etc/supervisord.conf'])?.programs ?? []).map((p) =>
        p.command.argv[0].path.replace(/^etc\/conf\.d\/(.*):2$/, '$1'),
      );
    });
    expect(ours).toEqual(JSON.parse(python.stdout));
  });

  it('reads a 1 MiB line of blanks in linear time (no delimiter, or inside environment=)', () => {
    const blanks = ' '.repeat(1024 * 1024);
    const sections = readIni(`[a]\nx${blanks}y\nk = v\n`, 'big.conf');
    expect([...(sections.get('a')?.keys() ?? [])]).toEqual(['k']);
    files['/etc/supervisord.conf'] = `[program:a]\ncommand=gunicorn app\nenvironment=A="1",B=x${blanks}y\n`;
    const env = run(['supervisord', '-c', '/etc/supervisord.conf'])?.programs?.[0].command.env;
    expect(env?.get('A')?.value).toBe('1');
    expect(env?.get('B')?.value).toBe(`x${blanks}y`);
  });

  it('never throws on any config text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 40 }), (text, value) => {
        files['/etc/supervisord.conf'] =
          `[program:p]\n${text}\ncommand=${value}\nnumprocs=${value}\n[include]\nfiles=${value}\n`;
        expect(() => run(['supervisord', '-c', '/etc/supervisord.conf'], { X: value })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
