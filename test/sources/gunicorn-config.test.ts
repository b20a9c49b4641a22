/** gunicorn's config reader without the CLI: a file's `workers` read by its Python type, as gunicorn does. */
import { findingFor } from '../../src/engine';
import { RULES } from '../../src/rules';
import { gunicornConfig } from '../../src/servers/gunicorn/config';

const rule = RULES.find((r) => r.id === 'gunicorn');

/** The finding for `gunicorn -c gunicorn.conf.py app:app` whose file is `text`, with the env given. */
async function judge(text: string, env: Record<string, string> = {}) {
  const expansion = await gunicornConfig.expand(
    {
      argv: ['gunicorn', '-c', 'gunicorn.conf.py', 'app:app'].map((t, i) => ({
        text: t,
        path: `Dockerfile:${i}`,
      })),
      env: new Map(Object.entries(env).map(([name, value]) => [name, { name, value, path: `env.${name}` }])),
      wrappers: [],
    },
    {
      workdir: '/app',
      readFile: (name) =>
        name === 'gunicorn.conf.py' || name === '/app/gunicorn.conf.py'
          ? { path: 'app/gunicorn.conf.py', text: `import os\nimport multiprocessing\n${text}\n` }
          : undefined,
    },
  );
  if (!rule || !expansion) throw new Error('no expansion');
  const findings = [
    ...expansion.commands.map((c) => findingFor(rule, c, rule.decide(c))),
    ...(expansion.decisions ?? []).map((d) => findingFor(rule, d.command, d.decision)),
  ];
  return findings.map((f) => f && { severity: f.severity, workers: f.workers, message: f.message });
}

describe('gunicorn config file: workers as validate_pos_int reads it', () => {
  it.each([
    // A str goes through int(value, 0).
    ['workers = "0x4"', {}, 4],
    ['workers = "0o10"', {}, 8],
    ['workers = " 3 "', {}, 3],
    ['workers = os.getenv("W", "2")', { W: '0x3' }, 3],
    // An int is kept; int(…) in the file is Python's own, base 10 or the base given.
    ['workers = 4', {}, 4],
    ['workers = int(os.getenv("W", "2"))', { W: '1_0' }, 10],
    ['workers = int("10", 8)', {}, 8],
  ])('%s with %j is %d workers', async (line, env, workers) => {
    expect(await judge(line, env)).toEqual([{ severity: 'error', workers, message: expect.any(String) }]);
  });

  it.each([
    ['workers = "04"', 'base 0 does not allow leading zeros'],
    ['workers = "four"', 'Python\'s int() refuses "four"'],
    ['workers = -2', 'negative worker count'],
    ['workers = None', 'int(None, 0) raises TypeError'],
    ['workers = int("0x4")', 'Failed to read config file'],
    ['workers = 4 // 0', 'ZeroDivisionError'],
  ])('%s: gunicorn exits, so the container will not start', async (line, why) => {
    const [finding] = await judge(line);
    expect(finding).toEqual({ severity: 'warning', workers: null, message: expect.stringContaining(why) });
    expect(finding?.message).toContain('will not start');
  });

  it('reads str(cpu_count()) as the CPU count, through int(value, 0)', async () => {
    expect(await judge('workers = str(multiprocessing.cpu_count() * 2)')).toEqual([
      { severity: 'error', workers: null, message: expect.stringContaining('at least 2 on any node') },
    ]);
  });
});

describe("gunicorn config file: every name of gunicorn's program", () => {
  it('reads the config of `gunicorn3 -c gunicorn.conf.py`, as of `gunicorn -c …`', async () => {
    const expansion = await gunicornConfig.expand(
      {
        argv: ['/usr/bin/gunicorn3', '-c', 'gunicorn.conf.py', 'app:app'].map((t, i) => ({
          text: t,
          path: `Dockerfile:${i}`,
        })),
        env: new Map(),
        wrappers: [],
      },
      {
        workdir: '/app',
        readFile: (name) =>
          name === 'gunicorn.conf.py' || name === '/app/gunicorn.conf.py'
            ? { path: 'app/gunicorn.conf.py', text: 'workers = 4\n' }
            : undefined,
      },
    );
    const words = expansion?.commands.flatMap((c) => c.argv.map((w) => w.text)) ?? [];
    expect(words).toEqual(expect.arrayContaining(['--workers', '4']));
  });
});
