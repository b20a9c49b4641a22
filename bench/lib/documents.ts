/**
 * What the engine and fix benchmarks share: the container mix and the 10,000-document file built from
 * it (bench/engine/run.ts times `oneproc check` over it, bench/fix/run.ts `oneproc fix` against
 * `oneproc check`), and the median they report. One generator, so the two measure the same input.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';

/** Containers as real manifests write them: servers with and without counts, wrappers, scripts, env. */
export const MIX: readonly unknown[] = [
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

/** The middle value (the upper one of the two middles for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Writes `dir/rendered.yaml`: `count` documents, each fourth a Service, the others Deployments with two
 * containers from the mix (block-style YAML as kubectl and helm print it); returns its path.
 */
export function writeRenderedDocuments(dir: string, count = 10_000): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const container = MIX[i % MIX.length];
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
  return file;
}
