import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './helpers';
import { validateObject } from './helpers';

const ROOT = resolve(__dirname, '../..');

/** Runs `cdk8s synth` as a user does, into a temp folder; returns the objects of each file. */
function synth(env: Record<string, string> = {}): {
  status: number | null;
  stderr: string;
  files: Record<string, Manifest[]>;
} {
  const out = mkdtempSync(join(tmpdir(), 'oneproc-synth-'));
  try {
    const run = spawnSync('npx', ['cdk8s', 'synth', '--no-check-upgrade', '--output', out], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60000,
    });
    const files: Record<string, Manifest[]> = {};
    // cdk8s removes the output folder when the app fails.
    for (const name of existsSync(out) ? readdirSync(out) : []) {
      files[name] = parseAllDocuments(readFileSync(join(out, name), 'utf8')).map((d) => d.toJS());
    }
    return { status: run.status, stderr: run.stderr, files };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('cdk8s synth (cdk8s.yaml + src/main.ts)', () => {
  test('cdk8s.yaml runs src/main.ts with tsx into cdk8s.out', () => {
    const config = readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8');
    expect(config).toMatch(/^app: npx tsx src\/main\.ts$/m);
    expect(config).toMatch(/^output: cdk8s\.out$/m);
  });

  test('with no settings: the FastAPI example on 8596, one uvicorn process, 2–10 replicas, Redis', () => {
    const { status, stderr, files } = synth();
    expect(stderr).not.toMatch(/error/i);
    expect(status).toBe(0);
    expect(Object.keys(files)).toEqual(['fastapi-app.k8s.yaml']);
    const objects = files['fastapi-app.k8s.yaml']!;
    for (const obj of objects) validateObject(obj);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/fastapi-app-redis',
      'Deployment/fastapi-app-redis',
      'NetworkPolicy/fastapi-app-redis',
      'Deployment/fastapi-app',
      'Service/fastapi-app',
      'HorizontalPodAutoscaler/fastapi-app',
      'PodDisruptionBudget/fastapi-app',
    ]);
    const app = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'fastapi-app');
    const container = app.spec.template.spec.containers[0];
    expect(container.command).toEqual(['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596']);
    expect(container.ports).toEqual([{ containerPort: 8596, name: 'http' }]);
    expect(container.env).toEqual([
      { name: 'REDIS_HOST', value: 'fastapi-app-redis' },
      { name: 'REDIS_PORT', value: '6379' },
      { name: 'REDIS_URL', value: 'redis://fastapi-app-redis:6379/0' },
      { name: 'WEB_CONCURRENCY', value: '1' },
    ]);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
  });

  test('ONEPROC_APP_SETTINGS points it at your own app', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oneproc-settings-'));
    try {
      const file = join(dir, 'app.yaml');
      writeFileSync(
        file,
        [
          'name: shop',
          'namespace: shop',
          'image: ghcr.io/acme/shop:2.0.1',
          'command: [gunicorn, -k, uvicorn.workers.UvicornWorker, -b, "0.0.0.0:8000", shop.asgi:app]',
          'port: 8000',
          'replicas: { min: 3, max: 20 }',
          'probes: { path: /healthz }',
          'redis: { url: { secret: managed-redis, key: url } }',
        ].join('\n'),
      );
      const { status, files } = synth({ ONEPROC_APP_SETTINGS: file });
      expect(status).toBe(0);
      const objects = files['shop.k8s.yaml']!;
      expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
        'Deployment/shop/shop',
        'Service/shop/shop',
        'HorizontalPodAutoscaler/shop/shop',
        'PodDisruptionBudget/shop/shop',
      ]);
      expect(objects[2].spec).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
      expect(objects[0].spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/healthz');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a multi-worker command in the settings fails synth with the engine message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oneproc-settings-'));
    try {
      const file = join(dir, 'app.json');
      writeFileSync(
        file,
        JSON.stringify({ image: 'shop:1', port: 8000, command: ['uvicorn', 'main:app', '--workers', '4'] }),
      );
      const { status, stderr } = synth({ ONEPROC_APP_SETTINGS: file });
      expect(status).not.toBe(0);
      expect(stderr).toContain(
        "MultipleWorkersError: SingleProcessApp 'app/app': uvicorn starts 4 worker processes",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreadable settings file is named', () => {
    const { status, stderr } = synth({ ONEPROC_APP_SETTINGS: '/nonexistent/app.yaml' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('ONEPROC_APP_SETTINGS: cannot read /nonexistent/app.yaml');
  });
});
