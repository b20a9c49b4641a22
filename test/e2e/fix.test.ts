/**
 * The fix, held: three single-process uvicorn instances of the Redis variant behind nginx
 * (round-robin), with a real redis-server — as a Deployment with replicas behind a Service runs them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  EXAMPLE_DIR,
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
  const ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    instances.push(
      start(
        `uvicorn :${port}`,
        ['/usr/bin/python3', '-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', String(port)],
        {
          cwd: EXAMPLE_DIR,
          env: {
            ...process.env,
            PYTHONDONTWRITEBYTECODE: '1',
            WEB_CONCURRENCY: '1',
            REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${redisPort}/0`,
          },
        },
      ),
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

describe('one process per instance, three instances behind nginx, state in Redis', () => {
  it('loses no read across 1,000 set/get pairs and serves them from several processes', async () => {
    const pairs = await many(1000, 8, async (i) => {
      const set = await request(front, `/set/k${i}/v${i}`);
      const get = await request(front, `/get/k${i}`);
      return { i, setPid: set.body.pid, getPid: get.body.pid, value: get.body.value };
    });
    const lost = pairs.filter((p) => p.value !== `v${p.i}`);
    const pids = new Set(pairs.flatMap((p) => [p.setPid, p.getPid]));
    const crossed = pairs.filter((p) => p.setPid !== p.getPid).length;
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
    expect(refreshes.filter((r) => r.status !== 200 || r.body.user !== 'alice')).toEqual([]);
    expect(new Set(refreshes.map((r) => r.body.pid)).size).toBe(3);
  });
});
