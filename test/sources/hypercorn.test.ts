/**
 * hypercorn's config file (`-c FILE.toml`, `-c file:FILE.py`): the built CLI over fixture repositories
 * with exact findings, then Debian's hypercorn 0.13 run on the same files, counting its workers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hypercornConfig } from '../../src/servers/hypercorn/config';
import type { SimpleCommand } from '../../src/shell/types';
import type { SourceContext } from '../../src/sources/types';
import { brief, check, requireBuiltCli } from './cli-helpers';
import { claimed, realCount, requireDebian, stopStarted } from './real-helpers';

beforeAll(() => {
  requireBuiltCli();
  requireDebian({ '/usr/bin/hypercorn': 'python3-hypercorn', '/usr/bin/unshare': 'util-linux' });
});
afterAll(stopStarted);

describe('oneproc check reads hypercorn config files', () => {
  it('reads the top-level `workers = 3` of a TOML config (not the one in a table)', async () => {
    const { code, findings } = await check(['hypercorn-toml']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'hypercorn',
        workers: 3,
        file: 'hypercorn-toml/hypercorn.toml',
        line: 4,
        chain: ['hypercorn-toml/Dockerfile:4', 'hypercorn-toml/hypercorn.toml:4'],
      },
    ]);
  });

  it('evaluates a `file:` Python config, whose env default the Dockerfile ENV overrides', async () => {
    const { findings } = await check(['hypercorn-python']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'hypercorn',
        workers: 2,
        file: 'hypercorn-python/Dockerfile',
        line: 3,
        chain: [
          'hypercorn-python/Dockerfile:5',
          'hypercorn-python/conf/hypercorn_conf.py:4',
          'hypercorn-python/Dockerfile:3',
        ],
      },
    ]);
  });

  it('lets `--workers 1` on the command line win over the file, as hypercorn does', async () => {
    const { code, findings } = await check(['hypercorn-override']);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
  });

  it('warns about a TOML file that does not parse, naming the file and line', async () => {
    const { code, findings } = await check(['hypercorn-broken']);
    expect(code).toBe(0);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'warning',
        rule: 'hypercorn',
        workers: null,
        file: 'hypercorn-broken/hypercorn.toml',
        line: 3,
        chain: ['hypercorn-broken/Dockerfile:4', 'hypercorn-broken/hypercorn.toml:3'],
      },
    ]);
    expect(findings[0].message).toContain('hypercorn-broken/hypercorn.toml is not valid TOML');
    expect(findings[0].message).toContain('the container will not start');
  });
});

describe('hypercornConfig', () => {
  const files: Record<string, string> = {
    '/srv/h.toml': 'workers = "4"\n',
    '/srv/none.toml': 'bind = ["0.0.0.0:8000"]\n[logging]\nworkers = 1\n',
    '/srv/pkg/settings.py': 'import multiprocessing\nworkers = multiprocessing.cpu_count()\n',
  };
  const ctx: SourceContext = {
    workdir: '/srv',
    readFile: (name) => {
      const abs = name.startsWith('/') ? name : `/srv/${name}`;
      return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
    },
  };
  const command = (...words: string[]): SimpleCommand => ({
    argv: words.map((text, i) => ({ text, path: `Dockerfile:${i + 1}` })),
    env: new Map(),
    wrappers: [],
  });
  const words = async (...argv: string[]) => {
    const expansion = await hypercornConfig.expand(command(...argv), ctx);
    return (
      expansion && {
        argv: expansion.commands.map((c) =>
          c.argv.map((w) => (w.unknown ? `?${w.text}` : w.refused ? `!${w.text}` : w.text)).join(' '),
        ),
        chain: expansion.chain,
      }
    );
  };

  it('marks a TOML value that is not an integer as one hypercorn refuses (it stops on it)', async () => {
    expect(await words('hypercorn', '-ch.toml', 'app:app')).toEqual({
      argv: ['hypercorn --workers !"4" -ch.toml app:app'],
      chain: ['srv/h.toml:1'],
    });
  });

  it('drops the -c words of a file without a top-level workers key', async () => {
    expect(await words('hypercorn', '--config=none.toml', '-b', ':8000', 'app:app')).toEqual({
      argv: ['hypercorn -b :8000 app:app'],
      chain: ['srv/none.toml'],
    });
  });

  it('reads a python:module config with the Python evaluator', async () => {
    expect(await words('hypercorn', '-c', 'python:pkg.settings', 'app:app')).toEqual({
      argv: ['hypercorn --workers ?$(nproc) -c python:pkg.settings app:app'],
      chain: ['srv/pkg/settings.py:2'],
    });
  });

  it('adds nothing when -w is on the command line, the file is missing, or the name is unknown', async () => {
    expect(await words('hypercorn', '-c', 'h.toml', '-w', '2', 'app:app')).toBeUndefined();
    expect(await words('hypercorn', '-c', 'missing.toml', 'app:app')).toBeUndefined();
    expect(await words('gunicorn', '-c', 'h.toml', 'app:app')).toBeUndefined();
  });
});

describe('the hypercorn reader against the real hypercorn', () => {
  it('hypercorn starts the 3 workers of hypercorn.toml', async () => {
    expect(await claimed('hypercorn-toml')).toBe(3);
    const argv = ['/usr/bin/hypercorn', '--config', 'hypercorn.toml', 'app:app'];
    expect(await realCount('hypercorn-toml', argv, {}, 3)).toBe(3);
  }, 30000);

  it('hypercorn evaluates the file: config with HYPERCORN_WORKERS=2', async () => {
    expect(await claimed('hypercorn-python')).toBe(2);
    const argv = ['/usr/bin/python3', '-m', 'hypercorn', '-c', 'file:conf/hypercorn_conf.py', 'app:app'];
    expect(await realCount('hypercorn-python', argv, { HYPERCORN_WORKERS: '2' }, 2)).toBe(2);
  }, 30000);

  it('hypercorn serves in one process when --workers 1 follows the config', async () => {
    expect(await claimed('hypercorn-override')).toBe(1);
    const argv = [
      '/usr/bin/hypercorn',
      '-c',
      'hypercorn.toml',
      '--workers',
      '1',
      '-b',
      '127.0.0.1:0',
      'app:app',
    ];
    expect(await realCount('hypercorn-override', argv, {}, 1)).toBe(1);
  }, 30000);

  it('hypercorn refuses to start on the TOML file the reader reports as invalid', async () => {
    expect(await claimed('hypercorn-broken')).toBeNull();
    const run = spawnSync(
      'unshare',
      ['--net', '--pid', '--fork', '--kill-child', '/usr/bin/hypercorn', '-c', 'hypercorn.toml', 'app:app'],
      {
        cwd: path.join(__dirname, '..', 'fixtures', 'sources', 'hypercorn-broken'),
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 20000,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
      },
    );
    expect(run.signal).toBeNull();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/TomlDecodeError|toml/i);
  }, 30000);

  it('hypercorn stops on a TOML `workers = "2"`, a str, which the reader says it refuses', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-hypercorn-'));
    try {
      writeFileSync(path.join(dir, 'h.toml'), 'workers = "2"\nbind = ["127.0.0.1:0"]\n');
      writeFileSync(path.join(dir, 'app.py'), 'async def app(scope, receive, send):\n    pass\n');
      const run = spawnSync(
        'unshare',
        ['--net', '--pid', '--fork', '--kill-child', '/usr/bin/hypercorn', '-c', 'h.toml', 'app:app'],
        {
          cwd: dir,
          env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
          timeout: 20000,
          killSignal: 'SIGKILL',
          encoding: 'utf8',
        },
      );
      expect(run.signal).toBeNull();
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/TypeError/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);
});
