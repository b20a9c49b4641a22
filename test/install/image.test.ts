/**
 * What the container image does, without a container engine: `npm pack` the package, install the
 * tarball into an empty folder with production dependencies only (as the Dockerfile does), start
 * `oneproc serve` from there with the certificate the chart generates, and admit reviews over HTTPS the
 * way the API server does (trusting the chart's CA for `<service>.<namespace>.svc`).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import { find, REPO, template } from './helm';

const exec = promisify(execFile);
const SERVICE_HOST = 'oneproc.oneproc-system.svc';

let tmp: string;
let app: string;
let child: ChildProcess | undefined;
let exit: Promise<number | null>;
let port: number;
let metricsPort: number;
let ca: string;
const output: string[] = [];

/** The exec-form ENTRYPOINT of the final stage of the repository's Dockerfile. */
function dockerEntrypoint(): string[] {
  const text = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const last = DockerfileParser.parse(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'ENTRYPOINT')
    .at(-1);
  if (!last) throw new Error('the Dockerfile has no ENTRYPOINT');
  return JSON.parse(text.split('\n')[last.getRange().start.line].replace(/^ENTRYPOINT\s+/, ''));
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return p;
}

function request(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        ca,
        servername: SERVICE_HOST,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout on ${method} ${urlPath}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function waitHealthy(): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child?.exitCode !== null) break;
    try {
      if ((await request('GET', '/healthz')).status === 200) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`oneproc serve did not become healthy (${String(last)}); output:\n${output.join('')}`);
}

function review(uid: string, command: string[]): Record<string, unknown> {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'shop', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'shop' } },
      template: {
        metadata: { labels: { app: 'shop' } },
        spec: { containers: [{ name: 'web', image: 'shop:1', command }] },
      },
    },
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      requestKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      requestResource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'shop',
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'jane@example.com', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-image-'));
  const packDir = path.join(tmp, 'pack');
  fs.mkdirSync(packDir);
  const { stdout } = await exec(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir],
    {
      cwd: REPO,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
  app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'oneproc-image', private: true }));
  await exec(
    'npm',
    [
      'install',
      '--omit=dev',
      '--omit=peer',
      '--omit=optional',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(packDir, filename),
    ],
    { cwd: app, maxBuffer: 16 * 1024 * 1024 },
  );

  // The certificate the chart generates, mounted where the chart mounts it.
  const secret = find(await template(), 'Secret');
  const tls = path.join(tmp, 'tls');
  fs.mkdirSync(tls);
  for (const key of ['ca.crt', 'tls.crt', 'tls.key']) {
    fs.writeFileSync(path.join(tls, key), Buffer.from(secret.data[key], 'base64'));
  }
  ca = fs.readFileSync(path.join(tls, 'ca.crt'), 'utf8');

  port = await freePort();
  metricsPort = await freePort();
  // As the image's entrypoint: node directly with the Dockerfile's node flags, from the installed package.
  const [node, ...entry] = dockerEntrypoint();
  expect(node).toBe('/nodejs/bin/node');
  child = spawn(
    process.execPath,
    [
      ...entry.map((word) =>
        word === '/app/node_modules/oneproc/bin/oneproc.js'
          ? path.join(app, 'node_modules', 'oneproc', 'bin', 'oneproc.js')
          : word,
      ),
      '--tls-cert',
      path.join(tls, 'tls.crt'),
      '--tls-key',
      path.join(tls, 'tls.key'),
      '--port',
      String(port),
      '--metrics-port',
      String(metricsPort),
      '--mode',
      'enforce',
    ],
    { cwd: app, env: { PATH: process.env.PATH, NODE_ENV: 'production', ONEPROC_HOST: '127.0.0.1' } },
  );
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  exit = new Promise((resolve) => child?.on('exit', (code) => resolve(code)));
  await waitHealthy();
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exit;
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package, installed with production dependencies only', () => {
  it('is started as the Dockerfile says: node directly, a small young generation, serve', () => {
    expect(dockerEntrypoint()).toEqual([
      '/nodejs/bin/node',
      '--max-semi-space-size=2',
      '/app/node_modules/oneproc/bin/oneproc.js',
      'serve',
    ]);
  });

  it('holds the runtime dependencies and none of the dev or peer ones', () => {
    const modules = fs.readdirSync(path.join(app, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['oneproc', 'yaml', 'zod', 'prom-client']));
    for (const absent of [
      'cdk8s',
      'cdk8s-plus-27',
      'constructs',
      'jest',
      'typescript',
      '@biomejs',
      'kubernetes-models',
      // The shell is read by oneproc's own parser (src/shell/parse.ts): no shell library ships.
      'shell-quote',
      'mvdan-sh',
    ]) {
      expect({ absent, present: modules.includes(absent) }).toEqual({ absent, present: false });
    }
    const files = fs.readdirSync(path.join(app, 'node_modules', 'oneproc'));
    expect(files).toEqual(expect.arrayContaining(['bin', 'dist', 'package.json']));
    expect(files).not.toContain('src');
  });

  it('serves /healthz and /readyz over HTTPS with the chart certificate for <service>.<namespace>.svc', async () => {
    expect((await request('GET', '/healthz')).status).toBe(200);
    expect((await request('GET', '/readyz')).status).toBe(200);
  });

  it('rejects a multi-worker Deployment in enforce mode, echoing the uid', async () => {
    const res = await request(
      'POST',
      '/validate/enforce',
      review('uid-enforce-1', ['uvicorn', 'main:app', '--workers', '4']),
    );
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body);
    expect(answer).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'uid-enforce-1', allowed: false, status: { code: 403 } },
    });
    expect(answer.response.status.message).toContain('web');
  });

  it('admits it with a warning in warn mode, and admits a single-process one', async () => {
    const warned = JSON.parse(
      (
        await request(
          'POST',
          '/validate/warn',
          review('uid-warn-1', ['uvicorn', 'main:app', '--workers', '4']),
        )
      ).body,
    );
    expect(warned.response).toMatchObject({ uid: 'uid-warn-1', allowed: true });
    expect(warned.response.warnings.length).toBeGreaterThan(0);
    const single = JSON.parse(
      (await request('POST', '/validate', review('uid-ok-1', ['uvicorn', 'main:app', '--port', '8000'])))
        .body,
    );
    expect(single.response).toMatchObject({ uid: 'uid-ok-1', allowed: true });
  });

  it('serves Prometheus metrics over plain HTTP on the metrics port', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: metricsPort, path: '/metrics', timeout: 5000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        })
        .on('error', reject);
    });
    expect(body).toMatch(/^# (HELP|TYPE) /m);
  });

  it('stops cleanly on SIGTERM (what the kubelet sends)', async () => {
    child?.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
