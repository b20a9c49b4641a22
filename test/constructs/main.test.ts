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

  /** The app's own message: cdk8s-cli adds its trace of the failed command after it. */
  const firstLine = (text: string) => text.split('\n')[0];

  /** Synthesizes with a settings file holding `text`; returns the exit status, stderr and the file. */
  function synthWith(name: string, text: string): { status: number | null; stderr: string; file: string } {
    const dir = mkdtempSync(join(tmpdir(), 'oneproc-settings-'));
    try {
      const file = join(dir, name);
      writeFileSync(file, text);
      const { status, stderr } = synth({ ONEPROC_APP_SETTINGS: file });
      return { status, stderr, file };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a multi-worker command in the settings fails synth naming the file, the line and the engine message', () => {
    const { status, stderr, file } = synthWith(
      'app.yaml',
      [
        'image: shop:1',
        'port: 8000',
        'command:',
        '  - uvicorn',
        '  - main:app',
        '  - --workers',
        '  - "4"',
        '',
      ].join('\n'),
    );
    expect(status).not.toBe(0);
    expect(stderr).toContain(
      `ONEPROC_APP_SETTINGS: ${file}:7: SingleProcessApp 'app/app': uvicorn starts 4 worker processes`,
    );
    expect(stderr).not.toContain('src/main.ts:'); // the message alone, no stack trace of the app
  });

  test('a bad prop names the file and the line it is written on', () => {
    const yaml = synthWith(
      'shop.yaml',
      'name: shop\nimage: shop:1\nport: 8000\nreplicas:\n  min: 11\n  max: 10\n',
    );
    expect(yaml.status).not.toBe(0);
    expect(firstLine(yaml.stderr)).toBe(
      `ONEPROC_APP_SETTINGS: ${yaml.file}:5: SingleProcessApp 'shop/shop': 'replicas.min' (11) must be less than or equal to 'replicas.max' (10)`,
    );
    const json = synthWith(
      'shop.json',
      '{\n  "image": "shop:1",\n  "port": 8000,\n  "resources": {"cpu": "2"}\n}\n',
    );
    expect(json.stderr).toContain(
      `ONEPROC_APP_SETTINGS: ${json.file}:4: SingleProcessApp 'app/app': 'resources.cpu' ("2")`,
    );
    const misspelt = synthWith(
      'typo.yaml',
      'image: shop:1\nport: 8000\nannotations:\n  example.com/owner: team\nreplicas: {mni: 2}\n',
    );
    expect(firstLine(misspelt.stderr)).toBe(
      `ONEPROC_APP_SETTINGS: ${misspelt.file}:5: SingleProcessApp 'app/app': 'replicas.mni' (2) is not a known prop`,
    );
  });

  test('a file that is not YAML names the file, line and column', () => {
    const { status, stderr, file } = synthWith('broken.yaml', 'image: shop:1\nport: [8000\n');
    expect(status).not.toBe(0);
    expect(firstLine(stderr)).toBe(
      `ONEPROC_APP_SETTINGS: ${file}:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
    expect(stderr).not.toContain('src/main.ts:'); // the message alone, no stack trace of the app
  });

  test('an unreadable settings file is named', () => {
    const { status, stderr } = synth({ ONEPROC_APP_SETTINGS: '/nonexistent/app.yaml' });
    expect(status).not.toBe(0);
    expect(firstLine(stderr)).toBe('ONEPROC_APP_SETTINGS: cannot read /nonexistent/app.yaml: no such file');
  });
});
