// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose files and Procfiles, where ${…} is interpolation.
/**
 * What runs when a launcher or a declaration other than the Dockerfile's CMD decides it: s6-overlay's
 * services, runit's, `rails server` with Puma's config, compose services and Procfile process types
 * — each checked like a container, through the CLI on the fixture repositories.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CheckIO, run } from '../../src/cli/check';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');

interface Report {
  findings: Array<{
    severity: string;
    rule: string;
    workers: number | null;
    file: string;
    line: number;
    kind: string | null;
    name: string | null;
    message: string;
    chain?: string[];
  }>;
  notes: Array<{ message: string; file: string | null; line: number | null; name: string | null }>;
  checked: Record<string, number>;
}

async function check(
  argv: string[],
  cwd = FIXTURES,
): Promise<{ code: number; report: Report; text: string }> {
  const io = (sink: (t: string) => void): CheckIO => ({
    stdout: sink,
    stderr: () => {},
    stdin: async function* () {},
    cwd,
    color: false,
  });
  let out = '';
  const code = await run(
    ['--format', 'json', ...argv],
    io((t) => (out += t)),
  );
  let text = '';
  await run(
    argv,
    io((t) => (text += t)),
  );
  return { code, report: JSON.parse(out) as Report, text };
}

const brief = (f: Report['findings'][number]) => ({
  severity: f.severity,
  rule: f.rule,
  workers: f.workers,
  file: f.file,
  line: f.line,
  ...(f.kind ? { kind: f.kind, name: f.name } : {}),
});

describe('s6-overlay', () => {
  it("follows /init into the user bundle's longruns: a with-contenv shell script and an execline script", async () => {
    const { code, report } = await check(['s6-overlay']);
    expect(report.findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 2,
        file: 's6-overlay/rootfs/etc/s6-overlay/s6-rc.d/api/run',
        line: 5,
      },
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 3,
        file: 's6-overlay/rootfs/etc/s6-overlay/s6-rc.d/web/run',
        line: 3,
      },
    ]);
    expect(report.findings[1].chain).toEqual([
      's6-overlay/Dockerfile:7',
      's6-overlay/rootfs/etc/s6-overlay/s6-rc.d/web/run:3',
    ]);
    expect(code).toBe(1);
  });

  it('says so when /init has no service to start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-s6-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.12\nENTRYPOINT ["/init"]\n');
      const { report } = await check(['.'], dir);
      expect(report.notes.map((n) => [n.file, n.line, n.message])).toEqual([
        [
          'Dockerfile',
          2,
          '/init (s6-overlay) starts the services of /etc/s6-overlay/s6-rc.d/user/contents.d and /etc/services.d; none is in the image as its Dockerfile builds it, so what it starts was not checked',
        ],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runit', () => {
  it("follows my_init into /etc/service (a folder, and a link made by RUN ln -s), through chpst and thpoff, to Puma's config", async () => {
    const { code, report } = await check(['runit']);
    expect(report.findings.map(brief)).toEqual([
      { severity: 'error', rule: 'puma', workers: 3, file: 'runit/app/puma.rb', line: 1 },
    ]);
    expect(report.findings[0].chain).toEqual([
      'runit/Dockerfile:6',
      'runit/service/web/run:3',
      'runit/app/puma.rb:1',
    ]);
    expect(code).toBe(1);
    // The cron service, linked in by `ln -s /etc/sv/cron /etc/service/cron`, ends on a program that is
    // not a server and not in the image: said, with its line.
    expect(report.notes.map((n) => [n.file, n.line, n.message])).toContainEqual([
      'runit/service/cron/run',
      2,
      '`cron` is not a server oneproc knows, and no file of that name is on the PATH of the image as its Dockerfile builds it (it may come from the base image phusion/baseimage:jammy-1.0.4 or the RUN step at runit/Dockerfile:5, which mentions cron), so what it runs was not checked',
    ]);
  });
});

describe('rails server', () => {
  it('is Puma with its default config/puma.rb, whose `workers ENV.fetch("WEB_CONCURRENCY") { 2 }` decides', async () => {
    const { report } = await check(['rails-puma']);
    expect(report.findings.map(brief)).toEqual([
      { severity: 'error', rule: 'puma', workers: 2, file: 'rails-puma/config/puma.rb', line: 4 },
    ]);
  });

  it('reads config/puma/ENV.rb first, ENV from -e or RAILS_ENV, as Puma does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-rails-'));
    try {
      mkdirSync(path.join(dir, 'config', 'puma'), { recursive: true });
      writeFileSync(path.join(dir, 'config', 'puma.rb'), 'workers 2\n');
      writeFileSync(path.join(dir, 'config', 'puma', 'production.rb'), 'port 3000\nworkers 5\n');
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nCMD ["bundle", "exec", "rails", "s", "-e", "production"]\n',
      );
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.file, f.line, f.workers])).toEqual([
        ['config/puma/production.rb', 2, 5],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bundle exec puma without -C', () => {
  it("loads config/puma/ENV.rb before config/puma.rb, ENV from RACK_ENV, as Puma's Configuration#config_files does", async () => {
    const { report } = await check(['puma-environment']);
    expect(report.findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'puma',
        workers: 3,
        file: 'puma-environment/config/puma/production.rb',
        line: 3,
      },
    ]);
  });

  it('loads no config file with -C -', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-puma-'));
    try {
      mkdirSync(path.join(dir, 'config'));
      writeFileSync(path.join(dir, 'config', 'puma.rb'), 'workers 2\n');
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nCMD ["bundle", "exec", "puma", "-C", "-"]\n',
      );
      const { report } = await check(['.'], dir);
      expect(report.findings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('compose', () => {
  it('checks each service with its build (context, dockerfile, target), command, entrypoint, environment and env_file', async () => {
    const { code, report, text } = await check(['compose-build']);
    expect(report.findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 3,
        file: 'compose-build/.env.web',
        line: 1,
        kind: 'compose service',
        name: 'web',
      },
      {
        severity: 'error',
        rule: 'uvicorn',
        workers: 2,
        file: 'compose-build/docker-compose.yml',
        line: 20,
        kind: 'compose service',
        name: 'worker',
      },
    ]);
    expect(code).toBe(1);
    expect(report.notes.map((n) => [n.file, n.line, n.message])).toEqual([
      [
        'compose-build/docker/Dockerfile',
        null,
        'built from compose-build, the build.context that compose-build/docker-compose.yml:7 gives it',
      ],
      [
        'compose-build/docker-compose.yml',
        22,
        'service redis runs the image redis:7 as it is, which oneproc cannot see, so what it runs was not checked',
      ],
      [
        'compose-build/docker-compose.yml',
        25,
        'the base image nginx:1.25 may set an ENTRYPOINT that runs this CMD; oneproc cannot see it and checked the CMD as the command',
      ],
    ]);
    // The summary counts the image and the services, not "1 document, 0 containers".
    expect(report.checked).toEqual({ documents: 0, containers: 0, images: 1, services: 3 });
    expect(text).toMatch(
      /2 errors, 0 warnings, 3 notes on what was not followed in 1 image, 3 services checked\n$/,
    );
  });

  it('builds with build.args, merges what a service extends, and says a remote build context is not fetched', async () => {
    const { code, report } = await check(['compose-extends']);
    expect(report.findings.map(brief)).toEqual([
      // ARG WORKERS=1 is built with WORKERS=3, so ENV WEB_CONCURRENCY=${WORKERS} is 3: the 3 is written
      // in the compose file's build.args, which is where the finding points.
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 3,
        file: 'compose-extends/compose.yaml',
        line: 6,
        kind: 'compose service',
        name: 'web',
      },
      // admin extends web (its build and args) and sets its own WEB_CONCURRENCY.
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 2,
        file: 'compose-extends/compose.yaml',
        line: 10,
        kind: 'compose service',
        name: 'admin',
      },
    ]);
    expect(report.findings[0].message).toContain(
      'WEB_CONCURRENCY is set from a build argument, in compose-extends/compose.yaml:6 at `services.web.build.args.WORKERS`.',
    );
    expect(code).toBe(1);
    expect(report.notes.map((n) => [n.file, n.line, n.name, n.message])).toEqual([
      [
        'compose-extends/compose.yaml',
        12,
        'tools',
        'service tools is built from https://github.com/example/tools.git#main, a remote build context that oneproc does not fetch, so what it runs was not checked',
      ],
    ]);
    expect(report.checked).toEqual({ documents: 0, containers: 0, images: 1, services: 2 });
  });

  it('says what an extends it cannot follow leaves unknown, and a build argument taken from the shell', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-compose-ext-'));
    try {
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM python:3.12-slim\nARG W=2\nENV WEB_CONCURRENCY=$W\nCMD ["gunicorn", "app:app"]\n',
      );
      writeFileSync(
        path.join(dir, 'compose.yaml'),
        [
          'services:',
          '  a:',
          '    image: python:3.12',
          '    extends: { file: common.yml, service: base }',
          '    command: gunicorn -w 2 app:app',
          '  b:',
          '    image: python:3.12',
          '    extends: nowhere',
          '    command: gunicorn -w 3 app:app',
          '  c:',
          '    image: python:3.12',
          '    extends: d',
          '    command: gunicorn -w 4 app:app',
          '  d:',
          '    image: python:3.12',
          '    extends: c',
          '    command: gunicorn -w 5 app:app',
          '  e:',
          '    build:',
          '      context: .',
          '      args: [W]',
          '',
        ].join('\n'),
      );
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.name, f.workers])).toEqual([
        ['a', 2],
        ['b', 3],
        ['c', 4],
        ['d', 5],
        ['e', 2],
      ]);
      expect(report.notes.map((n) => [n.line, n.message])).toEqual([
        [
          4,
          'service a extends base of common.yml, another file, which oneproc does not read; the keys it would inherit are not known',
        ],
        [
          8,
          'service b extends nowhere, which is not a service of this file; the keys it would inherit are not known',
        ],
        [
          12,
          'service c extends d, and its chain of extends comes back to c; the keys it would inherit are not known',
        ],
        [
          16,
          'service d extends c, and its chain of extends comes back to d; the keys it would inherit are not known',
        ],
        [
          21,
          "service e: build argument W is taken from the environment `docker compose` runs in, which oneproc cannot see; the Dockerfile's default was used",
        ],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not read as a manifest', async () => {
    const { text } = await check(['compose-build/docker-compose.yml']);
    expect(text).not.toMatch(/document/);
  });

  it('says which variable it could not interpolate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-compose-'));
    try {
      writeFileSync(
        path.join(dir, 'compose.yaml'),
        'services:\n  api:\n    image: python:3.12\n    command: uvicorn app:app --workers ${WORKERS}\n',
      );
      const { report } = await check(['.'], dir);
      expect(report.notes).toContainEqual(
        expect.objectContaining({
          file: 'compose.yaml',
          line: 4,
          message:
            'service api: ${WORKERS} is taken from the environment `docker compose` runs in, which oneproc cannot see; it was left as written',
        }),
      );
      expect(report.findings).toEqual([expect.objectContaining({ rule: 'uvicorn', severity: 'warning' })]);
      writeFileSync(path.join(dir, '.env'), 'WORKERS=6\n');
      const withEnv = await check(['.'], dir);
      expect(withEnv.report.findings.map((f) => [f.workers, f.file, f.line])).toEqual([
        [6, 'compose.yaml', 4],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('never reads an env_file or a build context outside the folder being checked', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-compose-out-'));
  try {
    mkdirSync(path.join(dir, 'repo'));
    mkdirSync(path.join(dir, 'secret'));
    writeFileSync(path.join(dir, 'secret.env'), 'WEB_CONCURRENCY=7\n');
    writeFileSync(
      path.join(dir, 'secret', 'Dockerfile'),
      'FROM python:3.12\nCMD ["gunicorn", "-w", "9", "a:b"]\n',
    );
    writeFileSync(
      path.join(dir, 'repo', 'compose.yaml'),
      'services:\n  web:\n    image: python:3.12\n    command: gunicorn app:app\n    env_file: ../secret.env\n  other:\n    build: ../secret\n',
    );
    const { report } = await check(['repo'], dir);
    expect(report.findings).toEqual([]);
    expect(report.notes.map((n) => n.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^service web: env_file \.\.\/secret\.env is outside the folder being checked \(repo\)/,
        ),
        expect.stringMatching(
          /^service other is built from secret, outside the folder being checked \(repo\)/,
        ),
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('Procfile', () => {
  it('checks each process type as its own container', async () => {
    const { code, report } = await check(['procfile']);
    expect(report.findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 4,
        file: 'procfile/Procfile',
        line: 2,
        kind: 'Procfile',
        name: 'web',
      },
      {
        severity: 'warning',
        rule: 'celery',
        workers: 2,
        file: 'procfile/Procfile',
        line: 3,
        kind: 'Procfile',
        name: 'worker',
      },
    ]);
    expect(code).toBe(1);
    expect(report.checked).toEqual({ documents: 0, containers: 0, services: 3 });
  });

  it('is followed from `honcho start` in the image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-honcho-'));
    try {
      writeFileSync(path.join(dir, 'Procfile'), 'web: uvicorn app:app --workers 3\nclock: python clock.py\n');
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM python:3.12\nWORKDIR /srv\nCOPY Procfile .\nCMD ["honcho", "start", "web"]\n',
      );
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.rule, f.workers, f.file, f.line, f.chain])).toEqual([
        ['uvicorn', 3, 'Procfile', 1, ['Dockerfile:4', 'Procfile:1']],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('package scripts', () => {
  it('follows `npm start` to the start script of package.json, and on to the pm2 ecosystem file it starts', async () => {
    const { code, report } = await check(['npm-start']);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([
      ['pm2', 3, 'npm-start/ecosystem.config.js', 2],
    ]);
    expect(report.findings[0].chain).toEqual([
      'npm-start/Dockerfile:5',
      'npm-start/package.json:6',
      'npm-start/ecosystem.config.js:2',
    ]);
  });

  it.each([
    ['["npm", "run", "web", "--", "-w", "4"]', 'gunicorn --bind :8000 app:app'],
    ['["npm", "run-script", "web", "--", "-w", "4"]', 'gunicorn --bind :8000 app:app'],
    // `yarn NAME` runs the script NAME (a name the shell reader knows as a script's: serve, dev, …).
    ['["yarn", "serve", "-w", "4"]', 'gunicorn --bind :8000 app:app'],
    ['["yarn", "run", "web", "-w", "4"]', 'gunicorn --bind :8000 app:app'],
    ['["pnpm", "--dir", "/app", "run", "web", "-w", "4"]', 'gunicorn --bind :8000 app:app'],
    ['npm --prefix /app run web -- -w 4', 'gunicorn --bind :8000 app:app'],
  ])('runs the script %s names, with the words given after it', async (cmd) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-scripts-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), `FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ${cmd}\n`);
      writeFileSync(
        path.join(dir, 'package.json'),
        '{"scripts": {\n  "web": "gunicorn --bind :8000 app:app", "serve": "gunicorn --bind :8000 app:app"\n}}\n',
      );
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([
        ['gunicorn', 4, 'package.json', 2],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows scripts written on one line, and says where scripts that run each other stop', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-scripts-'));
    try {
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n',
      );
      writeFileSync(
        path.join(dir, 'package.json'),
        '{"scripts": {"start": "npm run web", "web": "gunicorn -w 4 app:app"}}\n',
      );
      let { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([
        ['gunicorn', 4, 'package.json', 1],
      ]);
      writeFileSync(
        path.join(dir, 'package.json'),
        '{"scripts": {"start": "npm run a", "a": "npm start"}}\n',
      );
      ({ report } = await check(['.'], dir));
      expect(report.notes.map((n) => n.message)).toContainEqual(
        expect.stringContaining(
          'is not followed: scripts, launchers and configs start one another more than',
        ),
      );
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["npm", "-w", "api", "start"]\n',
      );
      ({ report } = await check(['.'], dir));
      expect(report.notes.map((n) => n.message)).toContainEqual(
        '`npm -w api start` runs the script of a workspace package (`-w api`), whose package.json oneproc does not look up, so the script it runs was not checked',
      );
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n',
      );
      writeFileSync(
        path.join(dir, 'package.json'),
        '{\n  "scripts": {\n    "start": ["node", "server.js"]\n  }\n}\n',
      );
      ({ report } = await check(['.'], dir));
      expect(report.notes.map((n) => [n.file, n.line, n.message])).toContainEqual([
        'package.json',
        3,
        '`npm start` runs the "start" script of package.json, which is not a string, so the command fails and nothing was checked',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when package.json, or the script, is not there; `npm start` falls back to node server.js', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-scripts-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:20\nWORKDIR /app\nCMD ["npm", "run", "web"]\n');
      let { report } = await check(['.'], dir);
      expect(report.notes.map((n) => [n.file, n.message])).toContainEqual([
        'Dockerfile',
        '`npm run web` runs the "web" script of /app/package.json, which is not in the image (it may come from the base image node:20 or a RUN step), so what it runs was not checked',
      ]);
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["yarn", "start"]\n',
      );
      writeFileSync(path.join(dir, 'package.json'), '{"scripts": {"build": "tsc"}}\n');
      ({ report } = await check(['.'], dir));
      expect(report.notes.map((n) => n.message)).toContainEqual(
        '`yarn start` runs the "start" script of package.json, which has none (and no server.js beside it), so the command fails and nothing was checked',
      );
      writeFileSync(path.join(dir, 'server.js'), 'require("node:cluster");\n');
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM node:20\nWORKDIR /app\nCOPY . .\nENV WEB_CONCURRENCY=4\nCMD ["npm", "start"]\n',
      );
      ({ report } = await check(['.'], dir));
      expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['node', 'warning']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
