/**
 * `oneproc observe` over a node's /proc and log links, written as files: the built CLI as a user runs
 * it, and the agent's metrics endpoint.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startAgent } from '../../src/observe/agent';
import { containerdCgroup, writeFakeProc } from './fake-proc';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

const WEB_ID = `${'1'.repeat(60)}aaaa`;
const API_ID = `${'2'.repeat(60)}bbbb`;
const WEB_UID = '11111111-2222-3333-4444-555555555555';
const API_UID = '66666666-7777-8888-9999-000000000000';
const GU = ['/usr/local/bin/python', '/usr/local/bin/gunicorn', '-w', '4', 'app:app'];
const UV = ['/usr/local/bin/python', '-m', 'uvicorn', 'main:app', '--port', '8596'];

let dir: string;
let procRoot: string;
let logDir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-observe-cli-'));
  procRoot = path.join(dir, 'proc');
  logDir = path.join(dir, 'containers');
  const web = containerdCgroup(WEB_UID, WEB_ID);
  const api = containerdCgroup(API_UID, API_ID);
  writeFakeProc(procRoot, [
    { pid: 1, ppid: 0, argv: ['/sbin/init'] },
    { pid: 100, ppid: 1, argv: ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'k8s.io'] },
    { pid: 101, ppid: 100, argv: GU, cgroup: web },
    { pid: 102, ppid: 101, argv: GU, cgroup: web },
    { pid: 103, ppid: 101, argv: GU, cgroup: web },
    { pid: 104, ppid: 101, argv: GU, cgroup: web },
    { pid: 105, ppid: 101, argv: GU, cgroup: web },
    { pid: 200, ppid: 100, argv: UV, cgroup: api },
    { pid: 300, ppid: 2, argv: [], comm: 'kworker/0:1' },
  ]);
  fs.mkdirSync(logDir);
  fs.writeFileSync(path.join(logDir, `web-7d4b9c-x2k4p_shop_web-${WEB_ID}.log`), '');
  fs.writeFileSync(path.join(logDir, `api-5f6d-q9z8_shop_api-${API_ID}.log`), '');
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/observe.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function oneproc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [path.join(ROOT, 'bin/oneproc.js'), ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('oneproc observe (one shot)', () => {
  it('reports each container with its names, server and worker count, and exits 1', async () => {
    const { code, stdout } = await oneproc([
      'observe',
      '--format',
      'json',
      '--proc-root',
      procRoot,
      '--log-dir',
      logDir,
    ]);
    expect(code).toBe(1);
    const { containers } = JSON.parse(stdout);
    expect(containers).toEqual([
      {
        namespace: 'shop',
        pod: 'web-7d4b9c-x2k4p',
        container: 'web',
        podUid: WEB_UID,
        containerId: WEB_ID,
        runtime: 'containerd',
        server: 'gunicorn',
        workers: 4,
        mainPid: 101,
        workerPids: [102, 103, 104, 105],
        command: GU.join(' '),
      },
      {
        namespace: 'shop',
        pod: 'api-5f6d-q9z8',
        container: 'api',
        podUid: API_UID,
        containerId: API_ID,
        runtime: 'containerd',
        server: 'uvicorn',
        workers: 1,
        mainPid: 200,
        workerPids: [200],
        command: UV.join(' '),
      },
    ]);
  });

  it('prints a line per container in text', async () => {
    const { code, stdout } = await oneproc(['observe', '--proc-root', procRoot, '--log-dir', logDir]);
    expect(code).toBe(1);
    expect(stdout).toContain('shop/web-7d4b9c-x2k4p container web  gunicorn  4 workers  MORE THAN ONE');
    expect(stdout).toContain('shop/api-5f6d-q9z8 container api  uvicorn  1 worker');
    expect(stdout).toContain('2 containers, 1 running more than one worker');
  });

  it('answers a missing /proc root and bad flags with exit 2', async () => {
    const missing = await oneproc(['observe', '--proc-root', path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read processes from ${path.join(dir, 'nope')}`);
    expect((await oneproc(['observe', '--format', 'xml'])).code).toBe(2);
    expect((await oneproc(['observe', '--pid', 'abc'])).code).toBe(2);
    expect((await oneproc(['observe', '--bogus'])).code).toBe(2);
  });
});

describe('oneproc observe says what it could not observe', () => {
  let treeRoot: string;
  const SPAWN = [
    '/usr/bin/python3',
    '-c',
    'from multiprocessing.spawn import spawn_main; spawn_main()',
    '--multiprocessing-fork',
  ];
  const UV4 = ['/usr/bin/python3', '-m', 'uvicorn', 'main:app', '--workers', '2'];
  const GU3 = ['/usr/bin/python3', '/usr/bin/gunicorn', '-w', '3', 'app:app'];

  beforeAll(() => {
    treeRoot = path.join(dir, 'tree-proc');
    writeFakeProc(treeRoot, [
      { pid: 1, ppid: 0, argv: ['/bin/sh', '-c', 'uvicorn main:app --workers 2 & gunicorn -w 3 app:app'] },
      { pid: 10, ppid: 1, argv: UV4 },
      { pid: 11, ppid: 10, argv: SPAWN },
      { pid: 12, ppid: 10, argv: SPAWN },
      { pid: 20, ppid: 1, argv: GU3 },
      { pid: 21, ppid: 20, argv: GU3 },
      { pid: 22, ppid: 20, argv: GU3 },
      { pid: 23, ppid: 20, argv: GU3 },
      { pid: 30, ppid: 2, argv: [], comm: 'kworker/0:1' },
    ]);
  });

  it('--pid over a tree that runs uvicorn and gunicorn reports both servers', async () => {
    const text = await oneproc(['observe', '--proc-root', treeRoot, '--pid', '1']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('uvicorn  2 workers  MORE THAN ONE  (pid 10:');
    expect(text.stdout).toContain('gunicorn  3 workers  MORE THAN ONE  (pid 20:');
    expect(text.stdout).toContain('1 process tree (2 servers), 2 running more than one worker');
    const json = await oneproc(['observe', '--proc-root', treeRoot, '--pid', '1', '--format', 'json']);
    expect(
      JSON.parse(json.stdout).containers.map((c: { server: string; workers: number }) => [
        c.server,
        c.workers,
      ]),
    ).toEqual([
      ['uvicorn', 2],
      ['gunicorn', 3],
    ]);
  });

  it('a --pid that is not running is an error naming it, exit 2, and the other trees are still reported', async () => {
    const { code, stdout, stderr } = await oneproc([
      'observe',
      '--proc-root',
      treeRoot,
      '--pid',
      '999999',
      '--pid',
      '20',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `oneproc observe: no process 999999 in ${treeRoot}: it has exited, or it runs in another PID namespace`,
    );
    expect(stdout).toContain('gunicorn  3 workers');
    expect(stdout).not.toContain('no containers found');
  });

  it('a --pid with no command line (a kernel thread) is an error, not an empty pass', async () => {
    const { code, stderr } = await oneproc(['observe', '--proc-root', treeRoot, '--pid', '30']);
    expect(code).toBe(2);
    expect(stderr).toContain('process 30 has no command line (a kernel thread or a zombie)');
  });

  it('refuses options the mode would ignore: --pid or --format with --serve, agent options without it', async () => {
    const serve = await oneproc(['observe', '--serve', '--pid', '1']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain(
      'oneproc observe: --pid cannot be used with --serve: the agent observes every container',
    );
    const format = await oneproc(['observe', '--serve', '--format', 'json']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format cannot be used with --serve');
    const port = await oneproc(['observe', '--proc-root', treeRoot, '--metrics-port', '9091']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain(
      'oneproc observe: --metrics-port configures the agent: add --serve, or drop it',
    );
  });

  it('counts in words that agree with the number: 1 container, no containers explained', async () => {
    const one = path.join(dir, 'one-proc');
    writeFakeProc(one, [
      { pid: 1, ppid: 0, argv: ['/sbin/init'] },
      { pid: 200, ppid: 1, argv: UV, cgroup: containerdCgroup(API_UID, API_ID) },
    ]);
    const single = await oneproc(['observe', '--proc-root', one, '--log-dir', logDir]);
    expect(single.code).toBe(0);
    expect(single.stdout).toContain('\n1 container, 0 running more than one worker\n');
    const none = path.join(dir, 'no-containers');
    writeFakeProc(none, [{ pid: 1, ppid: 0, argv: ['/sbin/init'] }]);
    const empty = await oneproc(['observe', '--proc-root', none]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain(
      `no containers found in ${none}: run observe on a Kubernetes node, in the host's PID namespace`,
    );
  });
});

describe('observe agent', () => {
  it('exports a gauge per container and logs a container with several workers once', async () => {
    const lines: string[] = [];
    const agent = await startAgent({
      procRoot,
      logDir,
      intervalMs: 60000,
      metricsPort: 0,
      host: '127.0.0.1',
      log: (l) => lines.push(l),
    });
    try {
      agent.scan();
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: agent.port, path: '/metrics' }, (res) => {
            let data = '';
            res.on('data', (d) => {
              data += d;
            });
            res.on('end', () => resolve(data));
          })
          .on('error', reject);
      });
      expect(body).toContain(
        `oneproc_observed_workers{namespace="shop",pod="web-7d4b9c-x2k4p",container="web",pod_uid="${WEB_UID}",container_id="${WEB_ID}",server="gunicorn"} 4`,
      );
      expect(body).toContain(`container_id="${API_ID}",server="uvicorn"} 1`);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({
        level: 'warn',
        namespace: 'shop',
        pod: 'web-7d4b9c-x2k4p',
        workers: 4,
      });
    } finally {
      await agent.close();
    }
  });
});
