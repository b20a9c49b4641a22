/**
 * pm2 ecosystem and process files read by `oneproc check`: the built CLI over the fixture
 * repositories test/fixtures/sources/pm2-*, and the reader itself over files a real project writes
 * (every form of `instances`, `--only`, `--env`, apps run by other interpreters, files it cannot read).
 */

import fc from 'fast-check';
import { findingFor } from '../../src/engine';
import { RULES } from '../../src/rules';
import { pm2Config, pm2Reader } from '../../src/servers/pm2/config';
import type { EnvEntry, SimpleCommand, Word } from '../../src/shell/types';
import { EXPANDERS } from '../../src/sources/expanders';
import type { Expansion, SourceContext, SourceReport } from '../../src/sources/types';
import { brief, check, requireBuiltCli } from './cli-helpers';

beforeAll(requireBuiltCli);

describe('oneproc check reads pm2 ecosystem files', () => {
  it('resolves `instances: process.env.WEB_CONCURRENCY || 4` against the Dockerfile ENV', async () => {
    const { code, findings, stderr } = await check(['pm2-ecosystem']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'pm2',
        workers: 3,
        file: 'pm2-ecosystem/ecosystem.config.js',
        line: 2,
        chain: ['pm2-ecosystem/Dockerfile:5', 'pm2-ecosystem/ecosystem.config.js:2'],
      },
    ]);
    expect(findings[0].path).toBe('pm2-ecosystem/ecosystem.config.js:2');
  });

  it('starts only the `--only` app of a process.yml; fork mode still starts every instance', async () => {
    const { findings } = await check(['pm2-only']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'pm2',
        workers: 2,
        file: 'pm2-only/process.yml',
        line: 6,
        chain: ['pm2-only/Dockerfile:4', 'pm2-only/process.yml:6'],
      },
    ]);
  });

  it('judges a gunicorn app of a process.json as gunicorn too, and skips the file as a manifest', async () => {
    const { findings, stderr } = await check(['pm2-python']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 2,
        file: 'pm2-python/process.json',
        line: 7,
        chain: ['pm2-python/Dockerfile:5', 'pm2-python/process.json:7'],
      },
      {
        severity: 'error',
        rule: 'pm2',
        workers: 2,
        file: 'pm2-python/process.json',
        line: 9,
        chain: ['pm2-python/Dockerfile:5', 'pm2-python/process.json:9'],
      },
    ]);
    expect(stderr).toContain(
      'note: pm2-python/process.json: skipped: it does not parse and has no apiVersion',
    );
  });

  it('follows a bare `pm2 start` to ecosystem.config.js: a require()d value is unknown, os.cpus() is per CPU', async () => {
    const { code, findings } = await check(['pm2-unknown']);
    expect(code).toBe(1);
    expect(findings.map((f) => ({ ...brief(f), message: undefined }))).toEqual([
      {
        severity: 'warning',
        rule: 'pm2',
        workers: null,
        file: 'pm2-unknown/ecosystem.config.js',
        line: 6,
        chain: ['pm2-unknown/Dockerfile:4', 'pm2-unknown/ecosystem.config.js:6'],
        message: undefined,
      },
      {
        severity: 'error',
        rule: 'pm2',
        workers: null,
        file: 'pm2-unknown/ecosystem.config.js',
        line: 7,
        chain: ['pm2-unknown/Dockerfile:4', 'pm2-unknown/ecosystem.config.js:7'],
        message: undefined,
      },
    ]);
    expect(findings[0].message).toContain(
      "`instances: settings.instances` — pm2 would run the JavaScript `require('./settings.json')`",
    );
    expect(findings[1].message).toContain('one instance per CPU');
  });
});

// ---------------------------------------------------------------------------------------------------
// The reader on its own: files in memory, the findings the engine makes of its expansion.

const w = (text: string, path = 'Dockerfile:9'): Word => ({ text, path });

function command(argv: string[], env: Record<string, string | null> = {}): SimpleCommand {
  const entries = Object.entries(env).map(([name, value]): [string, EnvEntry] => [
    name,
    value === null
      ? { name, unknown: `${name} comes from Secret s key k (valueFrom.secretKeyRef)`, path: 'Dockerfile:3' }
      : { name, value, path: 'Dockerfile:3' },
  ]);
  return { argv: argv.map((a) => w(a)), env: new Map(entries), wrappers: [] };
}

function context(files: Record<string, string>): SourceContext {
  return {
    workdir: '/app',
    readFile: (name) => {
      const key = name.replace(/^(\/app\/|\.\/)/, '');
      return key in files ? { path: key, text: files[key] } : undefined;
    },
  };
}

interface Brief {
  rule: string;
  severity: string;
  workers: number | null;
  path: string;
}

/** The findings the image check makes of an expansion: its commands and its decisions. */
function judge(expansion: Expansion | undefined): Brief[] | undefined {
  if (!expansion) return undefined;
  const out: Brief[] = [];
  const add = (f: ReturnType<typeof findingFor>) => {
    if (f) out.push({ rule: f.rule, severity: f.severity, workers: f.workers, path: f.path });
  };
  for (const c of expansion.commands) {
    const rule = RULES.find((r) => r.recognise(c));
    if (rule) add(findingFor(rule, c, rule.decide(c)));
  }
  for (const d of expansion.decisions ?? []) {
    const rule = RULES.find((r) => r.id === d.rule);
    if (rule) add(findingFor(rule, d.command, d.decision));
  }
  return out;
}

async function read(
  file: string,
  text: string,
  argv = ['pm2-runtime', 'start', file],
  env: Record<string, string | null> = {},
): Promise<Brief[] | undefined> {
  return judge(await pm2Config.expand(command(argv, env), context({ [file]: text })));
}

const eco = (app: string) =>
  `module.exports = {\n  apps: [\n    {\n      name: 'api',\n      script: 'server.js',\n${app}\n    },\n  ],\n};\n`;
const error = (workers: number | null, line: number, file = 'ecosystem.config.js'): Brief => ({
  rule: 'pm2',
  severity: 'error',
  workers,
  path: `${file}:${line}`,
});
const warning = (line: number, file = 'ecosystem.config.js'): Brief => ({
  rule: 'pm2',
  severity: 'warning',
  workers: null,
  path: `${file}:${line}`,
});

describe('pm2 ecosystem reader: instances', () => {
  it.each([
    ['instances: 4', [error(4, 6)]],
    ["instances: '4'", [error(4, 6)]],
    ['instances: 1', []],
    ["instances: 'max'", [error(null, 6)]],
    ['instances: 0', [error(null, 6)]],
    ['instances: -1', [warning(6)]],
    ["instances: '3abc'", [error(3, 6)]],
    ["instances: 'auto'", [error(null, 6)]],
    ['instances: 2.7', [error(2, 6)]],
    ['instances: true', [warning(6)]],
    ['instances: null', []],
    ['instances: undefined', []],
    ['exec_mode: "fork",\n      instances: 3', [error(3, 7)]],
    ["exec_mode: 'cluster_mode'", []],
    ['instances: process.env.WEB_CONCURRENCY || 4', [error(4, 6)]],
    ['instances: process.env.UNSET ?? 2', [error(2, 6)]],
    ['instances: parseInt(process.env.UNSET || "3", 10)', [error(3, 6)]],
    ['instances: Number(process.env.UNSET || 5)', [error(5, 6)]],
    ['instances: Number.parseInt(process.env.UNSET) || 1', []],
    ["instances: process.env.NODE_ENV === 'production' ? 'max' : 1", []],
    ['instances: require("os").cpus().length', [error(null, 6)]],
    ['instances: require("node:os").availableParallelism()', [error(null, 6)]],
    ['instances: require("os").cpus().length - 1', [warning(6)]],
    ['instances: require("os").cpus().length * 2', [error(null, 6)]],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the file's own template literal
    ['instances: `${2 + 2}`', [error(4, 6)]],
    ['instances: getCount()', [warning(6)]],
    ['instances: config.instances', [warning(6)]],
    ['...{ instances: 2 }', [error(2, 6)]],
  ])('%s', async (app, expected) => {
    expect(await read('ecosystem.config.js', eco(`      ${app},`))).toEqual(expected);
  });

  it('reads the environment the container gives pm2', async () => {
    const file = eco('      instances: process.env.WEB_CONCURRENCY || 4,');
    const argv = ['pm2-runtime', 'start', 'ecosystem.config.js'];
    expect(await read('ecosystem.config.js', file, argv, { WEB_CONCURRENCY: '1' })).toEqual([]);
    expect(await read('ecosystem.config.js', file, argv, { WEB_CONCURRENCY: '6' })).toEqual([error(6, 6)]);
    expect(await read('ecosystem.config.js', file, argv, { WEB_CONCURRENCY: null })).toEqual([warning(6)]);
    const ternary = eco("      instances: process.env.NODE_ENV === 'production' ? 'max' : 1,");
    expect(await read('ecosystem.config.js', ternary, argv, { NODE_ENV: 'production' })).toEqual([
      error(null, 6),
    ]);
  });

  it('an env value from envFrom may be anything: unknown', async () => {
    const cmd = {
      ...command(['pm2-runtime', 'ecosystem.config.js']),
      envFrom: [{ source: 'ConfigMap app', path: 'spec.containers[0].envFrom[0]' }],
    };
    const expansion = await pm2Config.expand(
      cmd,
      context({ 'ecosystem.config.js': eco('      instances: process.env.WEB_CONCURRENCY || 1,') }),
    );
    expect(judge(expansion)).toEqual([warning(6)]);
    expect(expansion?.decisions?.[0].decision).toMatchObject({
      why: 'WEB_CONCURRENCY may come from envFrom (ConfigMap app, spec.containers[0].envFrom[0])',
    });
  });
});

describe('pm2 ecosystem reader: files and apps', () => {
  it('reads the forms of a JavaScript module pm2 requires', async () => {
    const forms: Array<[string, string, number]> = [
      [
        'const apps = [{ script: "a.js", instances: 3 }];\nmodule.exports = { apps };\n',
        'ecosystem.config.js',
        1,
      ],
      ['module.exports.apps = [\n  { script: "a.js", instances: 3 },\n];\n', 'ecosystem.config.cjs', 2],
      ['exports.apps = [{ script: "a.js", instances: 3 }];\n', 'ecosystem.config.js', 1],
      ['export default {\n  apps: [{ script: "a.js", instances: 3 }],\n};\n', 'ecosystem.config.mjs', 2],
      [
        'import os from "node:os";\nexport default { apps: [{ script: "a.js", instances: 3 }] };\n',
        'ecosystem.config.mjs',
        2,
      ],
      [
        '#!/usr/bin/env node\n"use strict";\nmodule.exports = [{ script: "a.js", instances: 3 }];\n',
        'ecosystem.config.js',
        3,
      ],
      ['module.exports = { pm2: [{ script: "a.js", instances: 3 }] };\n', 'ecosystem.config.js', 1],
      ['module.exports = { script: "a.js", instances: 3 };\n', 'ecosystem.config.js', 1],
    ];
    for (const [text, file, line] of forms) {
      expect({ text, got: await read(file, text) }).toEqual({ text, got: [error(3, line, file)] });
    }
  });

  it('reads JSON and YAML process files', async () => {
    const json = '{\n  "apps": [\n    { "name": "api", "script": "a.js", "instances": "max" }\n  ]\n}\n';
    expect(await read('process.json', json, ['pm2-runtime', 'process.json'])).toEqual([
      error(null, 3, 'process.json'),
    ]);
    const yaml = 'apps:\n  - name: api\n    script: a.js\n    instances: 4\n';
    expect(await read('process.yml', yaml, ['pm2', 'start', 'process.yml'])).toEqual([
      error(4, 4, 'process.yml'),
    ]);
    const anchors =
      'base: &base\n  script: a.js\n  instances: 2\napps:\n  - <<: *base\n    name: x\n  - *base\n';
    expect(await read('process.yaml', anchors, ['pm2-runtime', 'process.yaml'])).toEqual([
      error(2, 3, 'process.yaml'),
      error(2, 3, 'process.yaml'),
    ]);
    // the map's own keys win over merged ones, wherever they are written
    const override = 'base: &base\n  script: a.js\n  instances: 2\napps:\n  - instances: 1\n    <<: *base\n';
    expect(await read('process.yml', override, ['pm2-runtime', 'process.yml'])).toEqual([]);
  });

  it('keeps only the apps `--only` names (commas and spaces), else every app', async () => {
    const two =
      'module.exports = { apps: [\n  { name: "web", script: "a.js", instances: 2 },\n  { name: "jobs", script: "jobs.js", instances: 5 },\n] };\n';
    const run = (...extra: string[]) =>
      read('ecosystem.config.js', two, ['pm2-runtime', 'start', 'ecosystem.config.js', ...extra]);
    expect(await run()).toEqual([error(2, 2), error(5, 3)]);
    expect(await run('--only', 'jobs')).toEqual([error(5, 3)]);
    expect(await run('--only', 'web,other')).toEqual([error(2, 2)]);
    // an app without a name is named after its script (`jobs.js` → `jobs`)
    const unnamed = two.replace('name: "jobs", ', '');
    expect(
      await read('ecosystem.config.js', unnamed, ['pm2-runtime', 'ecosystem.config.js', '--only', 'jobs']),
    ).toEqual([error(5, 3)]);
    // launchers and daemon flags change nothing
    expect(
      await read('ecosystem.config.js', two, ['npx', 'pm2-runtime', 'ecosystem.config.js', '--only', 'jobs']),
    ).toEqual([error(5, 3)]);
    expect(
      await read('ecosystem.config.js', two, ['pm2', 'start', 'ecosystem.config.js', '--no-daemon']),
    ).toEqual([error(2, 2), error(5, 3)]);
    // `-i` is ignored for ecosystem files
    expect(await run('-i', '1')).toEqual([error(2, 2), error(5, 3)]);
  });

  it('turns an app run by another interpreter into the command pm2 runs, with the app env', async () => {
    const text = [
      'module.exports = {',
      '  apps: [',
      '    { name: "web", script: "gunicorn", args: "-w 4 -b 0.0.0.0:8000 app:app", interpreter: "none" },',
      '    { name: "api", script: "/app/.venv/bin/uvicorn", args: ["main:app", "--port", "9000"], env: { WEB_CONCURRENCY: 3 } },',
      '    { name: "sh", script: "gunicorn --workers 2 app:app" },',
      '    { name: "jobs", script: "celery", args: "-A proj worker" },',
      '    { name: "py", script: "worker.py", interpreter: "python3" },',
      '    { name: "node", script: "server.js", args: "--workers 8" },',
      '  ],',
      '};',
    ].join('\n');
    const got = await read('ecosystem.config.js', text);
    expect(got).toEqual([
      { rule: 'gunicorn', severity: 'error', workers: 4, path: 'ecosystem.config.js:3' },
      { rule: 'uvicorn', severity: 'error', workers: 3, path: 'ecosystem.config.js:4' },
      { rule: 'gunicorn', severity: 'error', workers: 2, path: 'ecosystem.config.js:5' },
      { rule: 'celery', severity: 'warning', workers: null, path: 'ecosystem.config.js:6' },
    ]);
  });

  it("reads an app's own files: gunicorn -c FILE and python main.py with uvicorn.run, from the app's cwd", async () => {
    const files = {
      'ecosystem.config.js': [
        'module.exports = { apps: [',
        '  { name: "web", script: "gunicorn", args: "-c gunicorn.conf.py app:app", interpreter: "none", cwd: "web" },',
        '  { name: "api", script: "main.py", interpreter: "python3" },',
        '] };',
      ].join('\n'),
      'web/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 3\n',
      'main.py': 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("main:app", workers=2)\n',
    };
    const expansion = await pm2Reader(() => EXPANDERS).expand(
      command(['pm2-runtime', 'ecosystem.config.js']),
      context(files),
    );
    expect(judge(expansion)).toEqual([
      { rule: 'gunicorn', severity: 'error', workers: 3, path: 'web/gunicorn.conf.py:2' },
      { rule: 'uvicorn', severity: 'error', workers: 2, path: 'main.py:4' },
    ]);
    // on its own, the reader judges the commands as they stand: `gunicorn -c FILE` is a warning
    const alone = await pm2Config.expand(command(['pm2-runtime', 'ecosystem.config.js']), context(files));
    expect(judge(alone)).toEqual([
      { rule: 'gunicorn', severity: 'warning', workers: null, path: 'ecosystem.config.js:2' },
    ]);
  });

  it('passes on the programs of an app that is a process manager (supervisord) to be followed', async () => {
    const files = {
      'ecosystem.config.js':
        'module.exports = { apps: [{ name: "sv", script: "supervisord", args: "-n -c sv.conf" }] };\n',
      'sv.conf': '[program:web]\ncommand=gunicorn -w 4 app:app\n',
    };
    const expansion = await pm2Reader(() => EXPANDERS).expand(
      command(['pm2-runtime', 'ecosystem.config.js']),
      context(files),
    );
    expect(
      expansion?.programs?.map((p) => [p.command.argv.map((w) => w.text).join(' '), p.command.argv[2].path]),
    ).toEqual([['gunicorn -w 4 app:app', 'sv.conf:2']]);
  });

  it("keeps the folder listing in an app's cwd, for a supervisord [include] pattern", async () => {
    const files: Record<string, string> = {
      'ecosystem.config.js':
        'module.exports = { apps: [{ script: "supervisord", args: "-c sv.conf", cwd: "svc" }] };\n',
      'svc/sv.conf': '[include]\nfiles = conf.d/*.conf\n',
      'svc/conf.d/web.conf': '[program:web]\ncommand=gunicorn -w 4 app:app\n',
    };
    const ctx: SourceContext = {
      ...context(files),
      listFiles: (dir) => (dir.replace(/\/$/, '') === '/app/svc/conf.d' ? ['web.conf'] : undefined),
    };
    const expansion = await pm2Reader(() => EXPANDERS).expand(
      command(['pm2-runtime', 'ecosystem.config.js']),
      ctx,
    );
    expect(expansion?.programs?.map((p) => p.command.argv[2].path)).toEqual(['svc/conf.d/web.conf:2']);
  });

  it('merges env_NAME with `--env NAME`', async () => {
    const text =
      'module.exports = { apps: [{\n  script: "uvicorn",\n  args: "main:app",\n  env_production: { WEB_CONCURRENCY: "5" },\n}] };\n';
    expect(await read('ecosystem.config.js', text)).toEqual([]);
    const argv = ['pm2-runtime', 'ecosystem.config.js', '--env', 'production'];
    expect(await read('ecosystem.config.js', text, argv)).toEqual([
      { rule: 'uvicorn', severity: 'error', workers: 5, path: 'ecosystem.config.js:4' },
    ]);
  });

  it('a file it cannot read is a warning at the line, never a throw', async () => {
    expect(await read('ecosystem.config.js', 'module.exports = {\n  apps: [\n')).toEqual([warning(3)]);
    expect(await read('ecosystem.config.js', 'const x = 1;\n')).toEqual([warning(1)]);
    expect(await read('ecosystem.config.js', 'module.exports = load();\n')).toEqual([warning(1)]);
    expect(await read('ecosystem.config.js', 'module.exports = { apps: load() };\n')).toEqual([warning(1)]);
    expect(await read('process.yml', 'apps: [\n', ['pm2-runtime', 'process.yml'])).toEqual([
      warning(1, 'process.yml'),
    ]);
    expect(await read('process.json', '{ "apps": [ }', ['pm2-runtime', 'process.json'])).toEqual([
      warning(1, 'process.json'),
    ]);
    expect(
      await read('ecosystem.config.js', 'module.exports = { apps: [load(), { script: "a.js" }] };\n'),
    ).toEqual([warning(1)]);
    expect(
      await read(
        'ecosystem.config.js',
        'const a = a;\nmodule.exports = { apps: [{ script: "a.js", instances: a }] };\n',
      ),
    ).toEqual([warning(2)]);
  });

  it('leaves a file it cannot find, or a script, to the pm2 rule', async () => {
    const ctx = context({});
    expect(
      await pm2Config.expand(command(['pm2-runtime', 'start', 'ecosystem.config.js']), ctx),
    ).toBeUndefined();
    expect(
      await pm2Config.expand(
        command(['pm2-runtime', 'start', 'app.js', '-i', '4']),
        context({ 'app.js': '' }),
      ),
    ).toBeUndefined();
    expect(await pm2Config.expand(command(['gunicorn', 'app:app']), ctx)).toBeUndefined();
  });

  it('stays linear on a chain of bindings that doubles at each step', async () => {
    const lines = ['const a0 = 1;'];
    for (let i = 1; i <= 60; i++) lines.push(`const a${i} = a${i - 1} + a${i - 1};`);
    lines.push('module.exports = { apps: [{ script: "a.js", instances: a2 }] };');
    expect(await read('ecosystem.config.js', lines.join('\n'))).toEqual([error(4, 3)]);
  });

  it('reads a file with a very long member chain without overflowing the stack', async () => {
    const chain = `a${'.b'.repeat(100000)}`;
    const file = `${chain} = 1;\nmodule.exports = { apps: [{ script: "a.js", instances: ${chain} }] };`;
    expect(await read('ecosystem.config.js', file)).toEqual([warning(2)]);
  });
});

describe('pm2 ecosystem reader: any input', () => {
  const pieces = [
    'module.exports = ',
    'export default ',
    '{',
    '}',
    '[',
    ']',
    '(',
    ')',
    ',',
    ':',
    'apps',
    'instances',
    'script',
    '"a.js"',
    "'max'",
    '4',
    '-1',
    'process.env.X',
    '||',
    '??',
    '&&',
    '?',
    '...',
    'require("os")',
    '.cpus()',
    '.length',
    'parseInt',
    'const a = ',
    'a',
    ';',
    '\n',
    '`${',
    '}`',
    '/x/',
    '1n',
    'null',
  ];
  it('never throws, for JavaScript, JSON or YAML', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join(' ')),
        ),
        fc.constantFrom('ecosystem.config.js', 'ecosystem.config.mjs', 'process.json', 'process.yml'),
        async (text, file) => {
          const expansion = await pm2Config.expand(
            command(['pm2-runtime', file], { X: '2' }),
            context({ [file]: text }),
          );
          expect(expansion).toBeDefined();
          expect(() => judge(expansion)).not.toThrow();
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('pm2 ecosystem reader: limits and values it cannot follow', () => {
  it('resolves a 60,000-step chain of `const` aliases to the literal it starts from', async () => {
    const lines = ['const w0 = 4;'];
    for (let i = 1; i < 60000; i++) lines.push(`const w${i} = w${i - 1};`);
    lines.push('module.exports = { apps: [{ script: "a.js", instances: w59999 }] };');
    expect(await read('ecosystem.config.js', lines.join('\n'))).toEqual([error(4, 1)]);
  });

  it('says an alias cycle refers to itself', async () => {
    const file = 'const a = b;\nconst b = a;\nmodule.exports = { apps: [{ script: "a.js", instances: a }] };';
    const expansion = await pm2Config.expand(
      command(['pm2-runtime', 'start', 'ecosystem.config.js']),
      context({ 'ecosystem.config.js': file }),
    );
    expect(expansion?.decisions?.map((d) => d.decision)).toEqual([
      expect.objectContaining({ outcome: 'unknown', why: '`a` refers to itself' }),
    ]);
  });

  it('names the nesting bound when an expression is nested past it', async () => {
    const file = `module.exports = { apps: [{ script: "a.js", instances: ${'- '.repeat(70)}4 }] };`;
    const expansion = await pm2Config.expand(
      command(['pm2-runtime', 'start', 'ecosystem.config.js']),
      context({ 'ecosystem.config.js': file }),
    );
    expect(expansion?.decisions?.map((d) => d.decision)).toEqual([
      expect.objectContaining({
        outcome: 'unknown',
        why: 'the expression nests more than 64 levels deep, past what oneproc follows',
      }),
    ]);
  });

  it('notes an app whose script or args cannot be known, instead of dropping it', async () => {
    const reports: SourceReport[] = [];
    const file = [
      'module.exports = { apps: [',
      '  { name: "web", script: scriptFor("web") },',
      '  { name: "api", script: "gunicorn", args: argsOf("api") },',
      '] };',
    ].join('\n');
    const expansion = await pm2Config.expand(command(['pm2-runtime', 'start', 'ecosystem.config.js']), {
      ...context({ 'ecosystem.config.js': file }),
      report: (r) => reports.push(r),
    });
    expect(judge(expansion)).toEqual([]);
    expect(reports).toEqual([
      {
        level: 'note',
        message:
          'the script of the app `web` in ecosystem.config.js cannot be known here (pm2 would run the JavaScript `scriptFor("web")`), so what the app starts was not followed',
        file: 'ecosystem.config.js',
        line: 2,
      },
      {
        level: 'note',
        message:
          'the args of the app `api` in ecosystem.config.js cannot be known here (pm2 would run the JavaScript `argsOf("api")`), so what the app starts was not followed',
        file: 'ecosystem.config.js',
        line: 3,
      },
    ]);
  });
});
