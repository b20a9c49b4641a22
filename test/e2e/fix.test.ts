/**
 * The fix, held: three single-process uvicorn instances of the Redis variant behind nginx
 * (round-robin), with a real redis-server — as a Deployment with replicas behind a Service runs them.
 * Each instance runs the command and environment that `SingleProcessApp` synthesizes for the
 * write-up's app, resolved as the kubelet resolves them, so the manifests are what is being tested.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { SingleProcessApp } from '../../src/constructs';
import { EXAMPLE_APP } from '../../src/main';
import { expandReferences } from '../../src/shell';
import {
  EXAMPLE_DIR,
  figure,
  freePort,
  many,
  request,
  requireDebianPackages,
  type Started,
  start,
  stopAll,
  waitReady,
} from './harness';

const PASSWORD = 'e2e-secret-pw';
let dir: string;
let synthesized: { command: string[]; env: Record<string, string> };

/**
 * The app container of the write-up's example, synthesized with a Redis password from a Secret, and
 * its env resolved as the kubelet does: `valueFrom` Secrets from `secrets`, then `$(VAR)` references in
 * order. The Redis Service's cluster address is the one thing swapped, for the test's redis-server.
 */
function synthesizeApp(secrets: Record<string, string>, redisAddress: string) {
  const chart = new Chart(Testing.app(), 'e2e');
  new SingleProcessApp(chart, 'app', {
    ...EXAMPLE_APP,
    redis: { password: { secret: 'redis-auth', key: 'password' } },
  });
  const deployment = Testing.synth(chart).find(
    (o) => o.kind === 'Deployment' && o.metadata.name === EXAMPLE_APP.name,
  );
  const container = deployment.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const e of container.env as Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string } };
  }>) {
    if (e.valueFrom)
      env[e.name] = secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`];
    else
      env[e.name] = expandReferences(e.value ?? '', (n) => (n in env ? { value: env[n] } : undefined))
        .map((p) => p.text)
        .join('');
  }
  env.REDIS_URL = env.REDIS_URL.replace(`${env.REDIS_HOST}:${env.REDIS_PORT}`, redisAddress);
  return { command: container.command as string[], env };
}
let front: number;
const instances: Started[] = [];

beforeAll(async () => {
  requireDebianPackages();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-e2e-'));
  const redisPort = await freePort();
  const redis = start('redis-server', [
    '/usr/bin/redis-server',
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--requirepass',
    PASSWORD,
    '--dir',
    dir,
  ]);
  synthesized = synthesizeApp({ 'redis-auth/password': PASSWORD }, `127.0.0.1:${redisPort}`);
  const ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    // The synthesized command, on this instance's loopback port instead of the pod's 0.0.0.0:8596.
    const argv = synthesized.command.map((w, i, all) =>
      all[i - 1] === '--host' ? '127.0.0.1' : all[i - 1] === '--port' ? String(port) : w,
    );
    instances.push(
      start(`uvicorn :${port}`, ['/usr/bin/python3', '-m', ...argv], {
        cwd: EXAMPLE_DIR,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...synthesized.env },
      }),
    );
  }
  front = await freePort();
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} }
  server {
    listen 127.0.0.1:${front};
    location / { proxy_pass http://app; }
  }
}
`,
  );
  const nginx = start('nginx', ['/usr/sbin/nginx', '-c', path.join(dir, 'nginx.conf'), '-p', dir]);
  await Promise.all(ports.map((port, i) => waitReady(port, '/healthz', instances[i])));
  await waitReady(front, '/healthz', nginx);
  void redis;
}, 30000);

afterAll(async () => {
  await stopAll();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const SCENE =
  'What SingleProcessApp runs: three single-process uvicorn instances behind nginx, state in Redis';

describe('one process per instance, three instances behind nginx, state in Redis', () => {
  it('runs what SingleProcessApp synthesizes: one uvicorn process, WEB_CONCURRENCY=1, REDIS_URL from the Secret', () => {
    expect(synthesized.command).toEqual(['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596']);
    expect(synthesized.env.WEB_CONCURRENCY).toBe('1');
    expect(synthesized.env.REDIS_URL).toMatch(new RegExp(`^redis://:${PASSWORD}@127\\.0\\.0\\.1:\\d+/0$`));
  });

  it('loses no read across 1,000 set/get pairs and serves them from several processes', async () => {
    const pairs = await many(1000, 8, async (i) => {
      const set = await request(front, `/set/k${i}/v${i}`);
      const get = await request(front, `/get/k${i}`);
      return { i, setPid: set.body.pid, getPid: get.body.pid, value: get.body.value };
    });
    const lost = pairs.filter((p) => p.value !== `v${p.i}`);
    const pids = new Set(pairs.flatMap((p) => [p.setPid, p.getPid]));
    const crossed = pairs.filter((p) => p.setPid !== p.getPid).length;
    figure(
      SCENE,
      `${pairs.length} set/get pairs: ${lost.length} lost, served by ${pids.size} processes, ${crossed} read from another process than the writer`,
    );
    expect({ lost: lost.length, firstLost: lost.slice(0, 3), processes: pids.size }).toEqual({
      lost: 0,
      firstLost: [],
      processes: 3,
    });
    // Most reads are answered by another process than the one that stored the value.
    expect(crossed).toBeGreaterThan(500);
  });

  it('keeps the user logged in on every refresh', async () => {
    const login = await request(front, '/login?user=alice', { method: 'POST' });
    const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0];
    const refreshes = await many(100, 8, () => request(front, '/me', { cookie }));
    const loggedOut = refreshes.filter((r) => r.status !== 200 || r.body.user !== 'alice');
    figure(
      SCENE,
      `${refreshes.length} refreshes after logging in: ${loggedOut.length} logged out, answered by ${new Set(refreshes.map((r) => r.body.pid)).size} processes`,
    );
    expect(loggedOut).toEqual([]);
    expect(new Set(refreshes.map((r) => r.body.pid)).size).toBe(3);
  });
});
