/**
 * `oneproc fix` against `oneproc check` over the 10,000-document file of bench/engine/run.ts (the same
 * generator: 7,500 Deployments with two containers each from the same mix, 2,500 Services), both as
 * real processes of the built CLI, median of 3 runs each, wall time. The goal: fix within 1.5× check.
 * Run: npm run build && npx tsx bench/fix/run.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

/** The container mix of bench/engine/run.ts. */
const MIX: unknown[] = [
  {
    name: 'api',
    image: 'python:3.12',
    command: ['uvicorn', 'main:app', '--host', '0.0.0.0', '--workers', '4'],
  },
  { name: 'api', image: 'python:3.12', command: ['uvicorn'], args: ['main:app', '--port', '8000'] },
  {
    name: 'web',
    image: 'python:3.12',
    command: ['gunicorn', '-w', '$(WORKERS)', '-k', 'uvicorn.workers.UvicornWorker', 'app:app'],
    env: [
      { name: 'WORKERS', value: '4' },
      { name: 'LOG_LEVEL', value: 'info' },
    ],
  },
  {
    name: 'web',
    image: 'python:3.12',
    command: ['/bin/sh', '-c'],
    args: [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, not a JavaScript template
      'python manage.py migrate && exec gunicorn --workers ${WEB_CONCURRENCY:-2} --bind 0.0.0.0:8000 app.wsgi',
    ],
    env: [{ name: 'WEB_CONCURRENCY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'workers' } } }],
  },
  { name: 'proxy', image: 'nginx:1.27', args: ['nginx', '-g', 'daemon off;'] },
  { name: 'worker', image: 'python:3.12', command: ['celery', '-A', 'proj', 'worker', '--loglevel=INFO'] },
  { name: 'node', image: 'node:20', command: ['pm2-runtime', 'start', 'server.js', '-i', 'max'] },
  { name: 'node', image: 'node:20', command: ['node', 'server.js'], env: [{ name: 'PORT', value: '3000' }] },
  {
    name: 'rails',
    image: 'ruby:3.3',
    command: ['bundle', 'exec', 'puma', '-C', 'config/puma.rb', '-w', '3'],
  },
  {
    name: 'api',
    image: 'python:3.12',
    command: ['tini', '--', 'opentelemetry-instrument', 'python', '-m', 'uvicorn', 'main:app', '--workers=2'],
  },
  {
    name: 'uwsgi',
    image: 'python:3.12',
    command: ['uwsgi', '--http', ':8000', '--processes', '4', '--module', 'app'],
  },
  { name: 'sidecar', image: 'envoyproxy/envoy:v1.31', args: ['-c', '/etc/envoy/envoy.yaml'] },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const bin = path.join(ROOT, 'bin/oneproc.js');
if (!existsSync(path.join(ROOT, 'dist/cli/fix.js')))
  throw new Error('dist/ is missing: run `npm run build` first');
const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-bench-fix-'));
try {
  const docs: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const container = MIX[i % MIX.length] as Record<string, unknown>;
    if (i % 4 === 3) {
      docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\nspec:\n  ports: [{port: 80}]\n`);
      continue;
    }
    const object = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace: 'bench', labels: { app: `app-${i}` } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: `app-${i}` } },
        template: {
          metadata: { labels: { app: `app-${i}` } },
          spec: { containers: [container, MIX[(i + 4) % MIX.length]] },
        },
      },
    };
    docs.push(stringify(object));
  }
  const file = path.join(dir, 'rendered.yaml');
  writeFileSync(file, docs.map((d) => `---\n${d}`).join(''));
  const time = (args: string[]): { seconds: number; stdout: string; stderr: string } => {
    const start = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 1) throw new Error(`oneproc ${args[0]} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    return { seconds, stdout: r.stdout, stderr: r.stderr };
  };
  const check: number[] = [];
  const fix: number[] = [];
  let last = { seconds: 0, stdout: '', stderr: '' };
  // Interleaved, so a change of load on the machine touches both alike.
  for (let i = 0; i < 3; i++) {
    check.push(time(['check', '--format', 'json', file]).seconds);
    last = time(['fix', file]);
    fix.push(last.seconds);
  }
  const edits = last.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
  const summaries = last.stderr.split('\n').filter((l) => / → /.test(l)).length;
  const c = median(check);
  const f = median(fix);
  console.log(
    `oneproc check --format json: ${c.toFixed(2)} s (runs ${check.map((s) => s.toFixed(2)).join(', ')})`,
  );
  console.log(
    `oneproc fix (diff): ${f.toFixed(2)} s (runs ${fix.map((s) => s.toFixed(2)).join(', ')}); ${summaries} workloads scaled, ${edits} lines changed`,
  );
  console.log(`ratio fix/check: ${(f / c).toFixed(2)}× (goal ≤ 1.5×)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
