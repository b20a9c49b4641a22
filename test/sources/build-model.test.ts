// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfiles, where ${…} is a build argument.
/**
 * The image as `docker build` makes it: the build context a Dockerfile in a subfolder is built from,
 * every stage (`COPY --from`, `--target`), the file operations of RUN (`mv`, `cp`, `ln -s`, `rm`,
 * `sed -i`), COPY globs and heredocs, and a bare ENTRYPOINT looked up on PATH — each through the
 * CLI on a fixture repository (test/fixtures/sources/), with the note that says what was assumed or
 * not followed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDockerfile } from '../../src/sources/dockerfile';
import { repositoryContext } from '../../src/sources/files';
import { runCheck } from '../cli/run-check';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');

interface Report {
  findings: Array<{ rule: string; workers: number | null; file: string; line: number; chain?: string[] }>;
  notes: Array<{ message: string; file?: string; line?: number }>;
}

async function check(argv: string[], cwd = FIXTURES): Promise<{ code: number; report: Report; err: string }> {
  const { code, out, err } = await runCheck(['--format', 'json', ...argv], { cwd });
  return { code, report: out ? (JSON.parse(out) as Report) : { findings: [], notes: [] }, err };
}

const brief = (f: Report['findings'][number]) => ({
  rule: f.rule,
  workers: f.workers,
  file: f.file,
  line: f.line,
  chain: f.chain,
});

describe('the build context', () => {
  it('of a Dockerfile kept in a subfolder is the folder up the tree that holds what it copies, and is said', async () => {
    const { code, report } = await check(['subfolder-context']);
    expect(report.findings.map(brief)).toEqual([
      {
        rule: 'gunicorn',
        workers: 4,
        file: 'subfolder-context/compose/production/django/start',
        line: 3,
        chain: [
          'subfolder-context/compose/production/django/Dockerfile:6',
          'subfolder-context/compose/production/django/start:3',
        ],
      },
    ]);
    expect(code).toBe(1);
    expect(report.notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'subfolder-context/compose/production/django/Dockerfile',
          message:
            'built from subfolder-context, the nearest folder that holds every file its COPY and ADD name (subfolder-context/compose/production/django does not hold app/, compose/production/django/start); name another with --build-context DIR',
        }),
        // `sed -i` changed the script at build time: it is read as copied, and that is said.
        expect.objectContaining({
          line: 5,
          message: expect.stringMatching(
            /^\/start is edited by sed -i in RUN at .*Dockerfile:5 .*read as copied$/,
          ),
        }),
      ]),
    );
  });

  it('is the one named with --build-context, and a folder that does not hold the files finds nothing', async () => {
    const named = await check([
      '--dockerfile',
      'subfolder-context/compose/production/django/Dockerfile',
      '--build-context',
      'subfolder-context',
    ]);
    expect(named.report.findings.map((f) => f.workers)).toEqual([4]);
    expect(named.report.notes.map((n) => n.message)).not.toContainEqual(expect.stringMatching(/^built from/));

    const wrong = await check([
      '--dockerfile',
      'subfolder-context/compose/production/django/Dockerfile',
      '--build-context',
      'subfolder-context/compose/production/django',
    ]);
    expect(wrong.report.findings).toEqual([]);
    expect(wrong.report.notes.map((n) => n.message)).toContainEqual(
      expect.stringMatching(
        /^\/start is not copied into the image by the Dockerfile's COPY, ADD or RUN mv\/cp\/ln/,
      ),
    );
  });

  it('that does not exist is a usage error naming it', async () => {
    const r = await check(['--dockerfile', 'target-stage/Dockerfile', '--build-context', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'nowhere: no such folder: --build-context names the folder the Dockerfile is built from',
    );
  });

  it('goes with --dockerfile', async () => {
    const r = await check(['--build-context', '.', 'target-stage']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--build-context goes with --dockerfile FILE');
  });
});

describe('stages', () => {
  it('follow an entrypoint made in a builder stage and copied with COPY --from', async () => {
    const { code, report } = await check(['builder-stage']);
    expect(report.findings.map(brief)).toEqual([
      {
        rule: 'gunicorn',
        workers: 3,
        file: 'builder-stage/scripts/gunicorn.conf.py',
        line: 2,
        chain: [
          'builder-stage/Dockerfile:9',
          'builder-stage/scripts/serve.sh:2',
          'builder-stage/scripts/gunicorn.conf.py:2',
        ],
      },
    ]);
    expect(code).toBe(1);
  });

  it('--target runs the named stage; the last stage runs by default', async () => {
    const last = await check(['target-stage']);
    expect(last.report.findings).toEqual([]);
    expect(last.report.notes).toEqual([
      expect.objectContaining({
        file: 'target-stage/Dockerfile',
        line: 9,
        message:
          '`pytest` is not a server oneproc knows, and no file of that name is on the PATH of the image as its Dockerfile builds it (it may come from the base image python:3.12-slim or the RUN step at target-stage/Dockerfile:8, which mentions pytest), so what it runs was not checked',
      }),
    ]);
    const lean = await check(['--dockerfile', 'target-stage/Dockerfile', '--target', 'lean']);
    expect(lean.report.findings.map(brief)).toEqual([
      {
        rule: 'gunicorn',
        workers: 4,
        file: 'target-stage/Dockerfile',
        line: 4,
        chain: ['target-stage/Dockerfile:4'],
      },
    ]);
    expect(lean.code).toBe(1);
  });

  it('--target that names no stage is a usage error listing the stages', async () => {
    const r = await check(['--dockerfile', 'target-stage/Dockerfile', '--target', 'prod']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'target-stage/Dockerfile: has no stage "prod" for --target (its stages: lean, ci)',
    );
  });

  it('a file copied from an image oneproc cannot see is a note naming the image and the line', async () => {
    const { code, report } = await check(['external-copy']);
    expect(code).toBe(0);
    expect(report.notes).toEqual([
      expect.objectContaining({
        file: 'external-copy/Dockerfile',
        line: 2,
        message:
          '/usr/local/bin/start-server comes from the image ghcr.io/example/toolbox:1.4 (COPY --from at external-copy/Dockerfile:2), which oneproc cannot see, so it was not read',
      }),
    ]);
  });
});

describe('RUN file operations, PATH and globs', () => {
  it('follows scripts moved with `mv docker/*.sh /usr/local/bin/` and linked with `ln -s`', async () => {
    const { code, report } = await check(['run-mv']);
    expect(report.findings.map(brief)).toEqual([
      {
        rule: 'uwsgi',
        workers: 2,
        file: 'run-mv/src/uwsgi.ini',
        line: 6,
        chain: ['run-mv/Dockerfile:7', 'run-mv/docker/docker-entrypoint.sh:5', 'run-mv/src/uwsgi.ini:6'],
      },
    ]);
    expect(code).toBe(1);
  });

  it('looks a bare ENTRYPOINT up on a PATH extended over an unknown base, and says what it assumed', async () => {
    const { report } = await check(['path-bare']);
    expect(report.findings.map(brief)).toEqual([
      {
        rule: 'gunicorn',
        workers: 2,
        file: 'path-bare/bin/pretix',
        line: 3,
        chain: ['path-bare/Dockerfile:4', 'path-bare/bin/pretix:3'],
      },
    ]);
    expect(report.notes).toContainEqual(
      expect.objectContaining({
        file: 'path-bare/Dockerfile',
        line: 2,
        message:
          'ENV PATH extends the PATH of the base image example.org/base/python-app:2, which oneproc cannot see; it assumed the standard /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      }),
    );
  });
});

describe('the image file system', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oneproc-build-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  };
  const context = (dockerfile: string) => {
    const spec = readDockerfile(dockerfile, 'Dockerfile');
    const notes: string[] = [];
    const ctx = repositoryContext(spec, dir, (abs) => path.relative(dir, abs));
    return { ctx: { ...ctx, report: (r: { message: string }) => notes.push(r.message) }, notes };
  };

  it('names a base image given only by a build argument with no default as written', () => {
    const spec = readDockerfile(
      'ARG BASE\nFROM ${BASE}\nENV PATH=/opt/venv/bin:$PATH\nCMD ["/start.sh"]\n',
      'Dockerfile',
    );
    expect(spec.base).toBe('${BASE}');
  });

  it('applies mv, cp -r, install, ln -s and rm in order, from the WORKDIR and `cd`', () => {
    write('a.sh', 'A');
    write('conf/one.conf', 'ONE');
    write('bin/tool', 'TOOL');
    const { ctx } = context(
      [
        'FROM debian',
        'WORKDIR /src',
        'COPY . .',
        'RUN cd conf && cp -r . /etc/app && mv one.conf first.conf',
        'RUN install -m 0755 bin/tool /usr/bin/ && ln -sf /usr/bin/tool /usr/local/bin/t',
        'RUN mv a.sh /opt/b.sh && rm -f /src/bin/tool',
        'WORKDIR sub',
      ].join('\n'),
    );
    expect(ctx.workdir).toBe('/src/sub');
    expect(ctx.readFile('/etc/app/one.conf')?.text).toBe('ONE');
    expect(ctx.readFile('/src/conf/first.conf')?.text).toBe('ONE');
    expect(ctx.readFile('/src/conf/one.conf')).toBeUndefined();
    expect(ctx.readFile('/usr/bin/tool')?.text).toBe('TOOL');
    expect(ctx.readFile('/usr/local/bin/t')?.text).toBe('TOOL');
    expect(ctx.readFile('/opt/b.sh')?.text).toBe('A');
    expect(ctx.readFile('/src/a.sh')).toBeUndefined();
    expect(ctx.readFile('/src/bin/tool')).toBeUndefined();
  });

  it('reads COPY heredocs and RUN heredocs, and COPY globs by file name', () => {
    write('docker/start.sh', 'START');
    write('docker/notes.txt', 'TXT');
    const { ctx } = context(
      [
        '# syntax=docker/dockerfile:1',
        'FROM debian',
        'COPY docker/*.sh /usr/local/bin/',
        'COPY <<EOF /app/run.sh',
        '#!/bin/sh',
        'exec gunicorn -w 3 app:app',
        'EOF',
        'RUN <<EOT',
        'mv /usr/local/bin/start.sh /start',
        'EOT',
      ].join('\n'),
    );
    expect(ctx.readFile('/app/run.sh')).toEqual({
      path: 'Dockerfile:/app/run.sh',
      text: '#!/bin/sh\nexec gunicorn -w 3 app:app\n',
    });
    expect(ctx.readFile('/start')?.text).toBe('START');
    expect(ctx.readFile('/usr/local/bin/start.sh')).toBeUndefined();
    expect(ctx.readFile('/usr/local/bin/notes.txt')).toBeUndefined();
  });

  it('says which RUN line wrote a file it cannot read', () => {
    const { ctx, notes } = context(
      ['FROM debian', 'RUN curl -fsSL -o /usr/local/bin/start https://example.org/start.sh'].join('\n'),
    );
    expect(ctx.readFile('/usr/local/bin/start')).toBeUndefined();
    expect(notes).toEqual([
      '/usr/local/bin/start is downloaded by curl in RUN at Dockerfile:2 (`curl -fsSL -o /usr/local/bin/start https://example.org/start.sh`), which oneproc does not run, so it was not read',
    ]);
  });

  it("lists folders filled by COPY, COPY --from and RUN mv, and a stage inherits its parent's files", () => {
    write('services/web/run', 'WEB');
    write('services/worker/run', 'WORKER');
    write('extra.conf', 'X');
    const { ctx } = context(
      [
        'FROM debian AS build',
        'COPY services/ /tmp/services/',
        'RUN mv /tmp/services /etc/sv',
        'FROM build AS final',
        'COPY extra.conf /etc/sv/',
        'FROM alpine',
        'COPY --from=final /etc/sv /etc/service',
      ].join('\n'),
    );
    expect(ctx.listFolders?.('/etc/service')).toEqual(['web', 'worker']);
    expect(ctx.listFiles?.('/etc/service')).toEqual(['extra.conf']);
    expect(ctx.readFile('/etc/service/worker/run')?.text).toBe('WORKER');
  });
});

describe('folder walks', () => {
  it('find lowercase *.dockerfile and dockerfile', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-walk-'));
    try {
      mkdirSync(path.join(dir, 'docker-images'));
      writeFileSync(
        path.join(dir, 'docker-images', 'python3.8.dockerfile'),
        'FROM python:3.8\nCMD ["gunicorn", "-w", "2", "app:app"]\n',
      );
      writeFileSync(
        path.join(dir, 'dockerfile'),
        'FROM python:3.8\nCMD ["uvicorn", "--workers", "3", "a:b"]\n',
      );
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.file, f.workers])).toEqual([
        ['docker-images/python3.8.dockerfile', 2],
        ['dockerfile', 3],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('base images', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oneproc-base-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  it('the node image\'s docker-entrypoint.sh runs `CMD ["server.js"]` with node', async () => {
    write('Dockerfile', 'FROM node:20-slim\nENV WEB_CONCURRENCY=3\nCMD ["server.js"]\n');
    const { report } = await check(['.'], dir);
    expect(report.findings.map((f) => [f.rule, f.file, f.line])).toEqual([['node', 'Dockerfile', 2]]);
  });

  it('names the compose key that sets the count over the Dockerfile ENV, with its line', async () => {
    write('Dockerfile', 'FROM python:3.12\nENV UVICORN_WORKERS=2\nCMD ["uvicorn", "main:app"]\n');
    write('compose.yaml', 'services:\n  web:\n    build: .\n    environment:\n      UVICORN_WORKERS: "4"\n');
    const { report } = await check(['.'], dir);
    const found = report.findings as Array<Report['findings'][number] & { message: string; cause?: unknown }>;
    expect(found.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([
      ['uvicorn', 4, 'compose.yaml', 5],
    ]);
    expect(found[0].message).toContain(
      'UVICORN_WORKERS is set in compose.yaml:5, at `services.web.environment.UVICORN_WORKERS`.',
    );
    expect(found[0].message).not.toContain('Dockerfile');
    expect(found[0].cause).toEqual({
      kind: 'compose-env',
      name: 'UVICORN_WORKERS',
      at: {
        file: 'compose.yaml',
        line: 5,
        source: 'compose',
        key: 'services.web.environment.UVICORN_WORKERS',
      },
    });
  });

  it('says a count in a shell-form CMD is a command-line word of its Dockerfile line', async () => {
    write('Dockerfile', 'FROM python:3.12\nCMD uvicorn main:app --workers 4\n');
    const { report } = await check(['.'], dir);
    const found = report.findings as Array<Report['findings'][number] & { cause?: unknown }>;
    expect(found.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([['uvicorn', 4, 'Dockerfile', 2]]);
    expect(found[0].cause).toEqual({
      kind: 'cli',
      name: '--workers',
      at: { file: 'Dockerfile', line: 2, source: 'dockerfile' },
    });
  });

  it('names the Dockerfile ENV line that sets the count', async () => {
    write('Dockerfile', 'FROM python:3.12\nENV UVICORN_WORKERS=2\nCMD ["uvicorn", "main:app"]\n');
    const { report } = await check(['.'], dir);
    const found = report.findings as Array<Report['findings'][number] & { message: string }>;
    expect(found.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([['uvicorn', 2, 'Dockerfile', 2]]);
    expect(found[0].message).toContain('UVICORN_WORKERS is set by the ENV instruction at Dockerfile:2.');
  });

  it('says what an unknown base may add: an ENTRYPOINT before the CMD, or everything', async () => {
    write('Dockerfile', 'FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\nCOPY app.py /app/\n');
    write('app.py', 'app = None\n');
    const bare = await check(['.'], dir);
    expect(bare.report.notes).toEqual([
      expect.objectContaining({
        file: 'Dockerfile',
        line: 1,
        message:
          'Dockerfile sets no ENTRYPOINT or CMD, so the image runs what its base image tiangolo/uvicorn-gunicorn-fastapi:python3.11 sets, which oneproc cannot see; nothing was checked',
      }),
    ]);
    write('Dockerfile', 'FROM example.org/runtime:3\nCMD ["gunicorn", "app:app"]\n');
    const withCmd = await check(['.'], dir);
    expect(withCmd.report.notes).toEqual([
      expect.objectContaining({
        file: 'Dockerfile',
        line: 2,
        message:
          'the base image example.org/runtime:3 may set an ENTRYPOINT that runs this CMD; oneproc cannot see it and checked the CMD as the command',
      }),
    ]);
  });
});

describe('the end of a chain', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oneproc-end-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  it('says which program a script execs that is neither a server oneproc knows nor in the image', async () => {
    write('Dockerfile', 'FROM python:3.12-slim\nCOPY start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n');
    write('start.sh', '#!/bin/sh\nset -e\necho starting\nexec appserver --port 8000\n');
    const { code, report } = await check(['.'], dir);
    expect(code).toBe(0);
    expect(report.notes).toEqual([
      expect.objectContaining({
        file: 'start.sh',
        line: 4,
        message:
          '`appserver` is not a server oneproc knows, and no file of that name is on the PATH of the image as its Dockerfile builds it (it may come from the base image python:3.12-slim or a RUN step), so what it runs was not checked',
      }),
    ]);
  });

  it('says so when a supervisord [include] matches no file of the image (filled at run time)', async () => {
    write(
      'Dockerfile',
      'FROM python:3.12-slim\nCOPY supervisord.conf /etc/supervisord.conf\nCOPY README /etc/supervisor/conf.d/README\nCMD ["supervisord", "-n", "-c", "/etc/supervisord.conf"]\n',
    );
    write(
      'supervisord.conf',
      '[supervisord]\nnodaemon=true\n\n[include]\nfiles = /etc/supervisor/conf.d/*.conf\n',
    );
    const { code, report } = await check(['.'], dir);
    expect(code).toBe(0);
    expect(report.notes).toEqual([
      expect.objectContaining({
        file: 'supervisord.conf',
        line: 5,
        message:
          '[include] files = /etc/supervisor/conf.d/*.conf matches no file in the image as its Dockerfile builds it (it may be filled at run time), so no program of it was followed',
      }),
    ]);
  });

  it('says nothing of an `exec "$@"` fallback whose program is the CMD a branch before it runs', async () => {
    write(
      'Dockerfile',
      'FROM python:3.12-slim\nCOPY start.sh /start.sh\nENTRYPOINT ["/start.sh"]\nCMD ["web"]\n',
    );
    write('start.sh', '#!/bin/sh\nif [ "$1" = web ]; then\n  exec gunicorn -w 2 app:app\nfi\nexec "$@"\n');
    const { report } = await check(['.'], dir);
    expect(report.findings.map((f) => [f.rule, f.workers, f.line])).toEqual([['gunicorn', 2, 3]]);
    expect(report.notes).toEqual([]);
  });
});
