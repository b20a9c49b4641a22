// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the planted files are shell, JavaScript and Ruby, where ${…} is their own syntax.
/**
 * `oneproc check` never runs what it reads. A repository (or an unpacked image) is hostile: every file a
 * reader follows — Dockerfiles, entrypoint scripts, `sh -c` strings, Python configs and entry points, pm2
 * ecosystem files, Ruby configs, uwsgi and supervisord ini files, manifests — is planted with payloads
 * that would create a canary file if anything evaluated them as JavaScript, shell, Python or Ruby. The
 * check runs through its real doors (the built `bin/oneproc.js` and `run()` in process, on a repository
 * and with `--image-root`) and the canary folder must stay empty.
 *
 * The readers registered in `EXPANDERS` are enumerated: a reader added later without a case here fails
 * the test, so it gets its payloads too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXPANDERS } from '../../src/sources/expanders';
import { runCheck } from '../cli/run-check';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/oneproc.js');

/** Payloads that create `mark` when evaluated in each language a reader might be tricked into running. */
function payloads(mark: string) {
  const sh = `touch ${mark}`;
  // Optional chaining so that one variant failing (no mainModule under a test runner) does not stop the
  // other from running.
  const js =
    `(process.getBuiltinModule?.('child_process') ?? process.mainModule?.require('child_process'))` +
    `?.execSync('${sh}')?.length ?? 0`;
  return {
    sh,
    js,
    /** JavaScript inside shell arithmetic: what a `$((…))` evaluator built on Function() would run. */
    arith: `$((${js}))`,
    subst: `$(${sh})`,
    backtick: `\`${sh}\``,
    require: `require('child_process').execSync('${sh}')`,
    python: `__import__('os').system('${sh}')`,
    ruby: `system('${sh}')`,
    rubyX: `%x(${sh})`,
  };
}

type Payloads = ReturnType<typeof payloads>;

interface CanaryCase {
  /** The reader the payloads are planted for: an `EXPANDERS` id, or `dockerfile`, `shell`, `manifest`. */
  readonly reader: string;
  readonly name: string;
  /** Files of the image's /app folder (in the repository: next to the Dockerfile, copied to /app). */
  readonly files: (p: Payloads) => Record<string, string>;
  /** The image's ENTRYPOINT (exec form). */
  readonly entrypoint?: readonly string[];
  /** The image's CMD: exec form, or a string for shell form. */
  readonly cmd?: readonly string[] | string | ((p: Payloads) => readonly string[] | string);
  readonly env?: (p: Payloads) => Record<string, string>;
  /** Dockerfile lines before CMD (repository mode only: an image config has no such lines). */
  readonly dockerfile?: (p: Payloads) => string[];
  /** A file of the case that the check must be seen reading (in a finding's or note's file or chain). */
  readonly reads: string;
}

const PYTHON_CONFIG = (p: Payloads) =>
  [
    'import os',
    `A = "${p.arith}"`,
    `B = int(os.getenv("PAYLOAD", "${p.arith}"))`,
    `C = ${p.python}`,
    `D = str("${p.arith}")`,
    `workers = (A * 2 + B - C // 2) + int("${p.arith}") + int(os.environ.get("PAYLOAD")) * 1 + D`,
    '',
  ].join('\n');

const CASES: readonly CanaryCase[] = [
  {
    reader: 'gunicorn-config',
    name: 'gunicorn-implicit',
    files: (p) => ({ 'gunicorn.conf.py': `workers = "${p.arith}" + 1\n` }),
    cmd: ['gunicorn', 'app:app'],
    reads: 'gunicorn.conf.py',
  },
  {
    reader: 'gunicorn-config',
    name: 'gunicorn-names-env',
    files: (p) => ({ 'conf/gunicorn.py': PYTHON_CONFIG(p) }),
    env: (p) => ({ PAYLOAD: p.arith }),
    cmd: ['gunicorn', '-c', 'conf/gunicorn.py', 'app:app'],
    reads: 'conf/gunicorn.py',
  },
  {
    reader: 'hypercorn-config',
    name: 'hypercorn-python',
    files: (p) => ({ 'hconf.py': PYTHON_CONFIG(p) }),
    env: (p) => ({ PAYLOAD: p.arith }),
    cmd: ['hypercorn', '-c', 'python:hconf', 'app:app'],
    reads: 'hconf.py',
  },
  {
    reader: 'hypercorn-config',
    name: 'hypercorn-toml',
    files: (p) => ({ 'hypercorn.toml': `workers = "${p.arith}"\nbind = "${p.subst}"\n` }),
    cmd: ['hypercorn', '-c', 'hypercorn.toml', 'app:app'],
    reads: 'hypercorn.toml',
  },
  {
    reader: 'uwsgi-config',
    name: 'uwsgi-ini',
    files: (p) => ({
      'uwsgi.ini': [
        '[uwsgi]',
        'module = app:app',
        `threads = ${p.backtick}`,
        `cheaper = ${p.subst}`,
        `workers = ${p.arith}`,
        `processes = @(exec://${p.sh})`,
        '',
      ].join('\n'),
    }),
    cmd: ['uwsgi', '--ini', 'uwsgi.ini'],
    reads: 'uwsgi.ini',
  },
  {
    reader: 'puma-config',
    name: 'puma-implicit',
    files: (p) => ({
      'config/puma.rb': [
        `threads ${p.backtick}.to_i, 5`,
        `before_fork { ${p.ruby} }`,
        `workers Integer(ENV.fetch("WEB_CONCURRENCY") { ${p.rubyX} })`,
        `workers ${p.backtick}.to_i + "${p.arith}".to_i`,
        '',
      ].join('\n'),
    }),
    cmd: ['bundle', 'exec', 'puma'],
    reads: 'config/puma.rb',
  },
  {
    reader: 'unicorn-config',
    name: 'unicorn-config',
    files: (p) => ({
      'config/unicorn.rb': [
        `before_fork { |server, worker| ${p.ruby} }`,
        `worker_processes ${p.ruby} ? 4 : 2`,
        `worker_processes Integer(${p.backtick})`,
        '',
      ].join('\n'),
    }),
    cmd: ['unicorn', '-c', 'config/unicorn.rb'],
    reads: 'config/unicorn.rb',
  },
  {
    reader: 'pm2-config',
    name: 'pm2-js',
    files: (p) => ({
      'ecosystem.config.js': [
        "const cp = require('child_process');",
        `cp.execSync('${p.sh}');`,
        `const n = (function () { ${p.require}; return 4; })();`,
        'module.exports = {',
        '  apps: [',
        `    { name: 'a', script: 'server.js', exec_mode: 'cluster', instances: "${p.arith}" },`,
        "    { name: 'b', script: 'server.js', exec_mode: 'cluster', instances: n,",
        `      args: \`\${cp.execSync('${p.sh}')}\` },`,
        `    { name: 'c', script: 'server.js', exec_mode: 'cluster', instances: Number(${p.js}) },`,
        `    { name: 'd', script: 'server.js', exec_mode: 'cluster', instances: eval("${p.require}") },`,
        `    { name: 'e', script: 'server.js', exec_mode: 'cluster', instances: new Function("${p.require}")() },`,
        `    { name: 'f', script: 'server.js', exec_mode: 'cluster', instances: "${p.arith}" * 2 },`,
        '  ],',
        '};',
        '',
      ].join('\n'),
    }),
    cmd: ['pm2-runtime', 'start', 'ecosystem.config.js'],
    reads: 'ecosystem.config.js',
  },
  {
    reader: 'pm2-config',
    name: 'pm2-json',
    files: (p) => ({
      'process.json': [
        '{ "apps": [',
        `  { "name": "a", "script": "server.js", "exec_mode": "cluster", "instances": "${p.arith}" },`,
        `  { "name": "b", "script": "server.js", "exec_mode": "cluster", "instances": (function () { ${p.require}; return 2; })() },`,
        `  { "name": "c", "script": "start.sh", "args": "${p.subst}", "instances": ${p.js} }`,
        '] }',
        '',
      ].join('\n'),
      'start.sh': `#!/bin/sh\nW=${p.backtick}\nexec gunicorn -w "$W" app:app\n`,
    }),
    cmd: ['pm2-runtime', 'start', 'process.json'],
    reads: 'process.json',
  },
  {
    reader: 'pm2-config',
    name: 'pm2-yaml',
    files: (p) => ({
      'process.yml': [
        'apps:',
        '  - name: a',
        '    script: server.js',
        '    exec_mode: cluster',
        `    instances: "${p.arith}"`,
        '  - name: b',
        '    script: server.js',
        '    exec_mode: cluster',
        `    instances: !!js/function "function () { ${p.require}; return 2; }"`,
        '',
      ].join('\n'),
    }),
    cmd: ['pm2-runtime', 'start', 'process.yml'],
    reads: 'process.yml',
  },
  {
    reader: 'unit',
    name: 'unit-json',
    files: (p) => ({
      'conf.json': [
        '{ "applications": {',
        `  "a": { "type": "python", "path": "/app", "module": "${p.subst}", "processes": "${p.arith}" },`,
        `  "b": { "type": "python", "path": "/app", "module": "wsgi", "processes": { "max": "${p.backtick}", "spare": 1 } },`,
        `  "c": { "type": "external", "executable": "${p.sh}", "processes": 2 }`,
        '} }',
        '',
      ].join('\n'),
    }),
    cmd: ['unitd', '--no-daemon', '--statedir', '/app'],
    reads: 'conf.json',
  },
  {
    reader: 'supervisord-config',
    name: 'supervisord',
    files: (p) => ({
      'supervisord.conf': [
        '[supervisord]',
        'nodaemon=true',
        '[program:shell]',
        `command=sh -c "exec gunicorn -w ${p.subst} app:app"`,
        '[program:arith]',
        `command=gunicorn -w "${p.arith}" app:app`,
        '[program:env]',
        `environment=W="${p.arith}"`,
        'command=gunicorn -w %(ENV_PAYLOAD)s app:app',
        '[program:python]',
        'command=python main.py',
        '',
      ].join('\n'),
      'main.py': `import uvicorn\nuvicorn.run("main:app", workers="${p.arith}" * 1)\n`,
    }),
    env: (p) => ({ PAYLOAD: p.arith }),
    cmd: ['supervisord', '-c', '/app/supervisord.conf'],
    reads: 'supervisord.conf',
  },
  {
    reader: 'python-entry',
    name: 'python-main',
    files: (p) => ({
      'main.py': [
        'import os',
        'import uvicorn',
        `W = "${p.arith}"`,
        'if __name__ == "__main__":',
        `    uvicorn.run("${p.arith}", workers="${p.arith}" * 1)`,
        `    uvicorn.run("main:app", workers=int(os.getenv("PAYLOAD", "${p.arith}")) // 1 + W)`,
        `    uvicorn.run("main:app", workers=${p.python})`,
        '',
      ].join('\n'),
    }),
    env: (p) => ({ PAYLOAD: p.arith }),
    cmd: ['python', 'main.py'],
    reads: 'main.py',
  },
  {
    reader: 'python-entry',
    name: 'python-module',
    files: (p) => ({
      'app/__init__.py': '',
      'app/__main__.py': [
        'import gunicorn',
        'from granian import Granian',
        'from hypercorn.config import Config',
        'from hypercorn.run import run',
        `config = Config.from_mapping({"workers": "${p.arith}"}, application_path="${p.arith}")`,
        `config.workers = "${p.arith}" * 2 - 1`,
        'run(config)',
        `Granian("${p.arith}", workers="${p.arith}" - 1).serve()`,
        `StandaloneApplication(app, {"workers": "${p.arith}" + 1}).run()`,
        '',
      ].join('\n'),
    }),
    cmd: ['python', '-m', 'app'],
    reads: 'app/__main__.py',
  },
  {
    reader: 'dockerfile',
    name: 'dockerfile',
    files: () => ({}),
    dockerfile: (p) => [
      `ARG W="${p.arith}"`,
      `ENV A="${p.arith}" B=${p.backtick} C=${p.subst}`,
      `RUN ${p.sh}`,
      `RUN ["sh", "-c", "${p.sh}"]`,
      `HEALTHCHECK CMD ${p.sh}`,
      `ONBUILD RUN ${p.sh}`,
    ],
    env: (p) => ({ A: p.arith }),
    cmd: 'exec gunicorn -w $A app:app',
    reads: 'Dockerfile',
  },
  {
    reader: 'shell',
    name: 'entrypoint-script',
    files: (p) => ({
      'entry.sh': [
        '#!/bin/sh',
        `W=${p.backtick}`,
        `X=${p.subst}`,
        `eval "${p.sh}"`,
        `. /dev/stdin <<EOF\n${p.sh}\nEOF`,
        `Y=$((W + ${p.subst}))`,
        // JavaScript is no shell arithmetic: kept as text, then handed to eval.
        `Z="\\${p.arith}"`,
        'eval "V=$Z"',
        'exec gunicorn -w "$((W + X + Y))" -w "$Z" -w "$V" app:app',
        '',
      ].join('\n'),
    }),
    entrypoint: ['/app/entry.sh'],
    reads: 'entry.sh',
  },
  {
    reader: 'shell',
    name: 'sh-c',
    files: () => ({}),
    cmd: (p) => ['sh', '-c', `W=${p.subst}; exec gunicorn -w "$W" -w ${p.backtick} -w "${p.arith}" app:app`],
    reads: 'Dockerfile',
  },
];

/** The image's CMD of a case, with its payloads. */
function commandOf(c: CanaryCase, p: Payloads): readonly string[] | string | undefined {
  return typeof c.cmd === 'function' ? c.cmd(p) : c.cmd;
}

let dir: string;
let canaries: string;

beforeAll(() => {
  // The built bin must be the code under test.
  const stale: string[] = [];
  const visit = (src: string) => {
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      const file = path.join(src, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = path
          .join(ROOT, 'dist', path.relative(path.join(ROOT, 'src'), file))
          .replace(/ts$/, 'js');
        if (existsSync(built) && statSync(built).mtimeMs < statSync(file).mtimeMs) stale.push(file);
      }
    }
  };
  if (!existsSync(path.join(ROOT, 'dist/cli/check.js'))) stale.push('src/cli/check.ts');
  else visit(path.join(ROOT, 'src'));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale[0]}: run \`npm run build\` first`);
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-canary-'));
  canaries = path.join(dir, 'canary');
  mkdirSync(canaries);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const mark = (c: CanaryCase) => path.join(canaries, c.name);

/** Each case as a folder with its Dockerfile and files, under `repo/`. */
function plantRepository(): void {
  for (const c of CASES) {
    const p = payloads(mark(c));
    const at = path.join(dir, 'repo', c.name);
    for (const [name, text] of Object.entries(c.files(p))) write(path.join(at, name), text);
    const cmd = commandOf(c, p);
    const lines = ['FROM python:3.12', 'WORKDIR /app', 'COPY . /app'];
    for (const [k, v] of Object.entries(c.env?.(p) ?? {})) lines.push(`ENV ${k}="${v}"`);
    lines.push(...(c.dockerfile?.(p) ?? []));
    if (c.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
    if (cmd !== undefined) lines.push(`CMD ${typeof cmd === 'string' ? cmd : JSON.stringify(cmd)}`);
    write(path.join(at, 'Dockerfile'), `${lines.join('\n')}\n`);
  }
  // A manifest of its own: the kubelet's `$(VAR)` expansion and `sh -c`, with payloads in env.
  const p = payloads(path.join(canaries, 'manifest'));
  write(
    path.join(dir, 'repo', 'deploy.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: web',
      '          env:',
      `            - {name: A, value: ${JSON.stringify(p.arith)}}`,
      `            - {name: B, value: ${JSON.stringify(p.subst)}}`,
      `          command: [sh, -c, ${JSON.stringify(`exec gunicorn -w $(A) -w "$B" -w ${p.backtick} app:app`)}]`,
      '',
    ].join('\n'),
  );
}

/** One case as an unpacked image: `images/NAME/rootfs/app/…` and `images/NAME/config.json`. */
function plantImage(c: CanaryCase): string {
  const p = payloads(mark(c));
  const at = path.join(dir, 'images', c.name);
  // The root exists even when the case plants no file in it (--image-root refuses a missing folder).
  mkdirSync(path.join(at, 'rootfs'), { recursive: true });
  for (const [name, text] of Object.entries(c.files(p))) write(path.join(at, 'rootfs', 'app', name), text);
  const cmd = commandOf(c, p);
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: [
        'PATH=/usr/local/bin:/usr/bin:/bin',
        ...Object.entries(c.env?.(p) ?? {}).map(([k, v]) => `${k}=${v}`),
      ],
      ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
      ...(cmd === undefined ? {} : { Cmd: typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : cmd }),
      WorkingDir: '/app',
    },
  };
  write(path.join(at, 'config.json'), JSON.stringify(config));
  return path.relative(dir, path.join(at, 'rootfs'));
}

interface Report {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function viaBin(args: string[]): Report {
  const result = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function inProcess(args: string[]): Promise<Report> {
  return runCheck(['--format', 'json', ...args], { cwd: dir });
}

/** Every file named by the report's findings and notes (their `file` and `chain`), without lines. */
function filesRead(report: Report): string[] {
  const json = JSON.parse(report.out) as {
    findings: { file: string | null; chain?: string[] }[];
    notes?: { file: string | null }[];
  };
  const files: string[] = [];
  for (const f of json.findings) files.push(...(f.file ? [f.file] : []), ...(f.chain ?? []));
  for (const n of json.notes ?? []) if (n.file) files.push(n.file);
  return files.map((f) => f.replace(/:\d+$/, ''));
}

/**
 * Whether the case's file is among those read: `repo/NAME/FILE` in a repository; in an image, `/app/FILE`
 * (the image config stands for the Dockerfile).
 */
function readsOf(c: CanaryCase, files: readonly string[], inImage: boolean): boolean {
  if (!inImage) return files.includes(`repo/${c.name}/${c.reads}`);
  return files.includes(c.reads === 'Dockerfile' ? `images/${c.name}/config.json` : `/app/${c.reads}`);
}

const doors = [
  ['the built bin', viaBin],
  ['run() in process', inProcess],
] as const;

describe('oneproc check runs nothing it reads', () => {
  it('has a canary case for every registered reader', () => {
    const covered = new Set(CASES.map((c) => c.reader));
    expect(EXPANDERS.map((e) => e.id).filter((id) => !covered.has(id))).toEqual([]);
    for (const reader of ['dockerfile', 'shell']) expect(covered).toContain(reader);
  });

  it.each(doors)('on a repository, through %s', async (_door, door) => {
    plantRepository();
    const report = await door(['repo']);
    expect(readdirSync(canaries)).toEqual([]);
    expect([0, 1]).toContain(report.code);
    const files = filesRead(report);
    expect(CASES.filter((c) => !readsOf(c, files, false)).map((c) => c.name)).toEqual([]);
    expect(files).toContain('repo/deploy.yaml');
  });

  it.each(CASES.flatMap((c) => doors.map(([door, via]) => [c.name, door, c, via] as const)))(
    'with --image-root, %s, through %s',
    async (_name, _door, c, via) => {
      const report = await via(['--image-root', plantImage(c)]);
      expect(readdirSync(canaries)).toEqual([]);
      expect([0, 1]).toContain(report.code);
      expect(readsOf(c, filesRead(report), true)).toBe(true);
    },
  );
});
