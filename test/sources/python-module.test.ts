/**
 * `python -m app` followed to the file it runs, and hypercorn's programmatic runs: the built CLI over
 * fixture repositories with exact findings, the entry-point reader on its own, and Debian's Python
 * (uvicorn 0.17, hypercorn 0.13) run on the fixtures, counting the processes they really start.
 */
import { findingFor } from '../../src/engine';
import { RULES } from '../../src/rules';
import { containerCommands } from '../../src/shell';
import { pythonEntry } from '../../src/sources/python/entry';
import type { SourceContext } from '../../src/sources/types';
import { brief, check, requireBuiltCli } from './cli-helpers';
import { claimed, realCount, requireDebian, stopStarted } from './real-helpers';

beforeAll(() => {
  requireBuiltCli();
  requireDebian({
    '/usr/lib/python3/dist-packages/uvicorn': 'python3-uvicorn',
    '/usr/lib/python3/dist-packages/hypercorn': 'python3-hypercorn',
    '/usr/bin/unshare': 'util-linux',
  });
});
afterAll(stopStarted);

describe('oneproc check follows python -m MODULE to its file', () => {
  it('reads app/__main__.py for CMD ["python", "-m", "app"] and its uvicorn.run(workers=4)', async () => {
    const { code, findings } = await check(['python-module']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'uvicorn',
        workers: 4,
        file: 'python-module/app/__main__.py',
        line: 5,
        chain: ['python-module/Dockerfile:4', 'python-module/app/__main__.py:5'],
      },
    ]);
  });

  it('reads app/server.py for `python3 -u -m app.server`, its Granian count from the Dockerfile ENV', async () => {
    const { findings } = await check(['python-module-dotted']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'granian',
        workers: 3,
        file: 'python-module-dotted/Dockerfile',
        line: 3,
        chain: [
          'python-module-dotted/Dockerfile:5',
          'python-module-dotted/app/server.py:9',
          'python-module-dotted/Dockerfile:3',
        ],
      },
    ]);
  });

  it('leaves `python -m uvicorn main:app --workers 2` to the uvicorn rule, as before', async () => {
    const { code, findings } = await check(['python-module-server']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'uvicorn',
        workers: 2,
        file: 'python-module-server/Dockerfile',
        line: 4,
        chain: ['python-module-server/Dockerfile:4'],
      },
    ]);
  });
});

describe('oneproc check reads hypercorn programmatic runs', () => {
  it('turns config.workers = 3 and run(config) into hypercorn --workers 3, at the assignment', async () => {
    const { code, findings } = await check(['hypercorn-run']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'hypercorn',
        workers: 3,
        file: 'hypercorn-run/serve.py',
        line: 8,
        chain: ['hypercorn-run/Dockerfile:4', 'hypercorn-run/serve.py:11', 'hypercorn-run/serve.py:8'],
      },
    ]);
  });

  it('does not report asyncio.serve(app, config), which serves in one process whatever workers says', async () => {
    const { code, findings } = await check(['hypercorn-serve']);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
  });
});

describe('pythonEntry', () => {
  const main = 'import uvicorn\nuvicorn.run("app.main:app", workers=2)\n';
  const context = (files: Record<string, string>): SourceContext => ({
    workdir: '/srv',
    readFile: (name) => {
      const abs = name.startsWith('/') ? name : `/srv/${name}`;
      return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
    },
  });
  /** The command lines the reader makes of a container command, and its chain. */
  const read = async (files: Record<string, string>, command: string[], env: Record<string, string> = {}) => {
    const container = { command, env: Object.entries(env).map(([name, value]) => ({ name, value })) };
    const [cmd] = containerCommands(container, 'c').commands;
    const expansion = await pythonEntry.expand(cmd, context(files));
    return (
      expansion && {
        argv: expansion.commands.map((c) =>
          c.argv.map((w) => (w.unknown ? `?${w.text}` : w.refused ? `!${w.text}` : w.text)).join(' '),
        ),
        paths: expansion.commands.map((c) => c.argv.map((w) => w.path)),
        chain: expansion.chain,
      }
    );
  };

  it.each([
    // uvicorn.run() keeps the Python value: `workers or 1`, then `config.workers > 1` (TypeError on a str).
    ['uvicorn.run("m:app", workers=int("1_0"))', 'uvicorn m:app --workers 10'],
    ['uvicorn.run("m:app", workers="4")', 'uvicorn m:app --workers !"4"'],
    ['uvicorn.run("m:app", workers="")', 'uvicorn m:app'],
    ['uvicorn.run("m:app", workers="4", reload=True)', 'uvicorn m:app --reload'],
    ['uvicorn.run("m:app", workers=int("0x4"))', 'uvicorn m:app --workers !int("0x4")'],
    // hypercorn's Config takes `workers` as it is: a str stops run().
    [
      'from hypercorn.config import Config\nfrom hypercorn.run import run\nc = Config()\nc.workers = "2"\nrun(c)',
      'hypercorn --workers !"2" app',
    ],
    [
      'from hypercorn.config import Config\nfrom hypercorn.run import run\nrun(Config.from_mapping(workers=int("２")))',
      'hypercorn --workers 2 app',
    ],
    // gunicorn's custom Application passes its options to cfg.set: validate_pos_int, int(x, 0) for a str.
    ['import gunicorn\nStandaloneApplication(app, {"workers": "0x4"}).run()', 'gunicorn --workers 4'],
    ['import gunicorn\nStandaloneApplication(app, {"workers": "04"}).run()', 'gunicorn --workers !"04"'],
  ])('reads the Python value of %s as the server gets it', async (call, argv) => {
    const text = /hypercorn|gunicorn/.test(call) ? `${call}\n` : `import uvicorn\n${call}\n`;
    expect((await read({ '/srv/run.py': text }, ['python', 'run.py']))?.argv).toEqual([argv]);
  });

  it('says the container will not start when uvicorn.run() is given a str count', async () => {
    const [cmd] = containerCommands({ command: ['python', 'run.py'] }, 'c').commands;
    const files = { '/srv/run.py': 'import uvicorn\nuvicorn.run("m:app", workers="4")\n' };
    const [started] = (await pythonEntry.expand(cmd, context(files)))?.commands ?? [];
    const rule = RULES.find((r) => r.id === 'uvicorn');
    const finding = rule && started && findingFor(rule, started, rule.decide(started));
    expect(finding).toMatchObject({ severity: 'warning', workers: null, path: 'srv/run.py:2' });
    expect(finding?.message).toContain('raises TypeError');
    expect(finding?.message).toContain('the container will not start');
  });

  it("runs a regular package's __main__.py, before a module of the same name", async () => {
    const files = {
      '/srv/app/__init__.py': '',
      '/srv/app/__main__.py': main,
      '/srv/app.py': 'import uvicorn\nuvicorn.run("x:app", workers=9)\n',
    };
    expect(await read(files, ['python', '-m', 'app'])).toEqual({
      argv: ['uvicorn app.main:app --workers 2'],
      paths: [
        ['srv/app/__main__.py:2', 'srv/app/__main__.py:2', 'srv/app/__main__.py:2', 'srv/app/__main__.py:2'],
      ],
      chain: ['srv/app/__main__.py:2'],
    });
  });

  it('runs a module before a namespace package, and a namespace package when it is all there is', async () => {
    const other = 'import uvicorn\nuvicorn.run("x:app", workers=9)\n';
    expect(
      (await read({ '/srv/app.py': main, '/srv/app/__main__.py': other }, ['python3', '-m', 'app']))?.argv,
    ).toEqual(['uvicorn app.main:app --workers 2']);
    expect((await read({ '/srv/app/__main__.py': main }, ['python3.12', '-m', 'app']))?.argv).toEqual([
      'uvicorn app.main:app --workers 2',
    ]);
  });

  it('finds a module on PYTHONPATH, and reads a command that still starts with the interpreter', async () => {
    const files = { '/opt/lib/svc/run.py': main };
    expect((await read(files, ['python', '-m', 'svc.run'], { PYTHONPATH: '/opt/lib' }))?.argv).toEqual([
      'uvicorn app.main:app --workers 2',
    ]);
    const cmd = {
      argv: ['python', '-X', 'dev', '-m', 'svc.run'].map((text) => ({ text, path: 'Dockerfile:3' })),
      env: new Map([['PYTHONPATH', { name: 'PYTHONPATH', value: '/opt/lib', path: 'Dockerfile:2' }]]),
      wrappers: [],
    };
    expect((await pythonEntry.expand(cmd, context(files)))?.commands[0].argv.map((w) => w.text)).toEqual([
      'uvicorn',
      'app.main:app',
      '--workers',
      '2',
    ]);
  });

  it("never reads a known server's own package, nor a module that is not in the repository", async () => {
    const files = {
      '/srv/uvicorn/__init__.py': '',
      '/srv/uvicorn/__main__.py': main,
      '/srv/gunicorn.py': main,
    };
    expect(await read(files, ['python', '-m', 'uvicorn', 'main:app'])).toBeUndefined();
    expect(await read(files, ['python', '-m', 'gunicorn', 'main:app'])).toBeUndefined();
    expect(await read(files, ['python', '-m', 'app'])).toBeUndefined();
    expect(await read({ '/srv/app/__init__.py': '' }, ['python', '-m', 'app'])).toBeUndefined();
  });

  it('finds the script of `python main.py` past options that take a value, and not in -c code', async () => {
    const files = {
      '/srv/main.py': main,
      '/srv/ignore.py': 'import uvicorn\nuvicorn.run("x:app", workers=9)\n',
    };
    expect((await read(files, ['python', '-W', 'ignore.py', '-X', 'dev', '-u', 'main.py']))?.argv).toEqual([
      'uvicorn app.main:app --workers 2',
    ]);
    expect((await read(files, ['python3', '-uW', 'ignore.py', '--', 'main.py']))?.argv).toEqual([
      'uvicorn app.main:app --workers 2',
    ]);
    expect(await read(files, ['python', '-c', 'import main', 'main.py'])).toBeUndefined();
  });

  const hypercorn = (body: string) =>
    `from hypercorn.config import Config\nfrom hypercorn.run import run\n${body}`;

  it('reads Config.from_mapping({...}, **kwargs) with the keywords winning, as hypercorn does', async () => {
    const files = {
      '/srv/serve.py': hypercorn(
        'config = Config.from_mapping({"workers": 4, "application_path": "m:app"}, workers=5)\nrun(config)\n',
      ),
    };
    expect(await read(files, ['python', 'serve.py'])).toEqual({
      argv: ['hypercorn --workers 5 m:app'],
      paths: [['srv/serve.py:4', 'srv/serve.py:3', 'srv/serve.py:3', 'srv/serve.py:3']],
      chain: ['srv/serve.py:4'],
    });
  });

  it("reads Config.from_toml(FILE)'s top-level workers, pointing at the TOML line", async () => {
    const files = {
      '/srv/serve.py': hypercorn('config = Config.from_toml("conf/hypercorn.toml")\nrun(config)\n'),
      '/srv/conf/hypercorn.toml': 'bind = ["0.0.0.0:8000"]\nworkers = 2\n',
    };
    expect(await read(files, ['python', 'serve.py'])).toEqual({
      argv: ['hypercorn --workers 2 app'],
      paths: [['srv/serve.py:4', 'srv/conf/hypercorn.toml:2', 'srv/conf/hypercorn.toml:2', 'srv/serve.py:4']],
      chain: ['srv/serve.py:4'],
    });
  });

  it("keeps Config()'s one process, and takes only the assignments made before run()", async () => {
    const files = {
      '/srv/serve.py': hypercorn(
        'def main():\n    config = Config()\n    config.workers = 1\n    run(config)\n    config.workers = 8\n',
      ),
    };
    expect((await read(files, ['python', 'serve.py']))?.argv).toEqual(['hypercorn --workers 1 app']);
    files['/srv/serve.py'] = hypercorn('config = Config()\nrun(config)\n');
    expect((await read(files, ['python', 'serve.py']))?.argv).toEqual(['hypercorn app']);
  });

  it('says the count is not known for a config built elsewhere, or from a file it does not have', async () => {
    const files: Record<string, string> = {
      '/srv/serve.py': hypercorn('def main(config):\n    run(config)\n'),
    };
    expect((await read(files, ['python', 'serve.py']))?.argv).toEqual(['hypercorn --workers ?config app']);
    files['/srv/serve.py'] = hypercorn('config = Config.from_pyfile("conf.py")\nrun(config)\n');
    expect((await read(files, ['python', 'serve.py']))?.argv).toEqual([
      'hypercorn --workers ?Config.from_pyfile("conf.py") app',
    ]);
    files['/srv/serve.py'] = hypercorn(
      'import hypercorn.run\nc = Config.from_toml("missing.toml")\nhypercorn.run.run(c)\n',
    );
    expect((await read(files, ['python', 'serve.py']))?.argv).toEqual([
      'hypercorn --workers ?Config.from_toml("missing.toml") app',
    ]);
  });

  it('adds nothing for hypercorn.asyncio.serve or hypercorn.trio.serve (one process)', async () => {
    const files = {
      '/srv/a.py':
        'import asyncio\nfrom hypercorn.asyncio import serve\nfrom hypercorn.config import Config\nconfig = Config()\nconfig.workers = 4\nasyncio.run(serve(app, config))\n',
      '/srv/t.py':
        'import trio\nimport hypercorn.trio\nfrom hypercorn.config import Config\nconfig = Config.from_mapping(workers=4)\ntrio.run(hypercorn.trio.serve, app, config)\n',
    };
    expect(await read(files, ['python', 'a.py'])).toBeUndefined();
    expect(await read(files, ['python', 't.py'])).toBeUndefined();
  });
});

describe('the entry-point reader against the real servers', () => {
  it('python -m app with uvicorn.run(workers=4) starts the 4 workers the reader claims', async () => {
    expect(await claimed('python-module')).toBe(4);
    expect(await realCount('python-module', ['/usr/bin/python3', '-m', 'app'], {}, 4)).toBe(4);
  }, 30000);

  it('hypercorn.run.run(config) with config.workers = 3 starts 3 workers', async () => {
    expect(await claimed('hypercorn-run')).toBe(3);
    expect(await realCount('hypercorn-run', ['/usr/bin/python3', 'serve.py'], {}, 3)).toBe(3);
  }, 30000);

  it('hypercorn.asyncio.serve with config.workers = 4 serves in one process', async () => {
    expect(await claimed('hypercorn-serve')).toBe(1);
    expect(await realCount('hypercorn-serve', ['/usr/bin/python3', 'serve.py'], {}, 1)).toBe(1);
  }, 30000);
});
