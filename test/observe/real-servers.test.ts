/**
 * Starts real servers from Debian, each as PID 1 of its own PID and network namespace, scans the real
 * /proc and checks the observed worker counts. Each namespace is stopped by SIGKILL to its `unshare`
 * process (`--kill-child` then kills the namespace's init, which takes the rest with it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { observeTrees, readProcesses } from '../../src/observe';

const APP = `
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})

def wsgi(environ, start_response):
    start_response("200 OK", [])
    return [b"ok"]
`;

const NEEDS: Record<string, string> = {
  '/usr/bin/python3': 'python3',
  '/usr/lib/python3/dist-packages/uvicorn': 'python3-uvicorn',
  '/usr/bin/gunicorn': 'gunicorn',
  '/usr/bin/uwsgi': 'uwsgi uwsgi-plugin-python3',
  '/usr/bin/unshare': 'util-linux',
};

let dir: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  const missing = Object.entries(NEEDS).filter(([file]) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.map(([f]) => f).join(', ')}: install with apt-get install -y ${missing.map(([, p]) => p).join(' ')}`,
    );
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-observe-'));
  fs.writeFileSync(path.join(dir, 'app.py'), APP);
});

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function start(argv: string[]): ChildProcess {
  const child = spawn('unshare', ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  started.push(child);
  return child;
}

/**
 * Servers boot their workers over a second or more on a loaded machine, and an arbiter alone looks
 * like one process: poll until the expected count is seen (or the deadline passes), then require it
 * to hold for three more scans, so a count that overshoots later still fails.
 */
async function observeSettled(child: ChildProcess, expected: number, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let held = 0;
  for (;;) {
    const [obs] = observeTrees(readProcesses(), [child.pid!]);
    held = obs?.workers === expected ? held + 1 : 0;
    if (held > 3 || Date.now() > deadline) return obs;
    await new Promise((r) => setTimeout(r, 400));
  }
}

const CASES: Array<[string, string[], string, number]> = [
  ['uvicorn --workers 3', ['/usr/bin/python3', '-m', 'uvicorn', 'app:app', '--workers', '3'], 'uvicorn', 3],
  ['a single uvicorn', ['/usr/bin/python3', '-m', 'uvicorn', 'app:app'], 'uvicorn', 1],
  ['gunicorn -w 3', ['/usr/bin/gunicorn', '-w', '3', '-b', '127.0.0.1:8000', 'app:wsgi'], 'gunicorn', 3],
  ['gunicorn -w 1', ['/usr/bin/gunicorn', '-w', '1', '-b', '127.0.0.1:8000', 'app:wsgi'], 'gunicorn', 1],
  [
    'uwsgi --master --processes 2',
    [
      '/usr/bin/uwsgi',
      '--plugin',
      'python3',
      '--master',
      '--http-socket',
      '127.0.0.1:8000',
      '--wsgi-file',
      'app.py',
      '--callable',
      'wsgi',
      '--processes',
      '2',
    ],
    'uwsgi',
    2,
  ],
  [
    'uwsgi --processes 3 without a master',
    [
      '/usr/bin/uwsgi',
      '--plugin',
      'python3',
      '--http-socket',
      '127.0.0.1:8000',
      '--wsgi-file',
      'app.py',
      '--callable',
      'wsgi',
      '--processes',
      '3',
    ],
    'uwsgi',
    3,
  ],
];

describe('observe real servers', () => {
  it.each(CASES)(
    '%s',
    async (_name, argv, server, workers) => {
      const child = start(argv);
      let stderr = '';
      child.stderr?.on('data', (d) => {
        stderr += String(d);
      });
      try {
        const obs = await observeSettled(child, workers);
        expect({ server: obs?.server, workers: obs?.workers, stderr: obs ? '' : stderr }).toEqual({
          server,
          workers,
          stderr: '',
        });
      } finally {
        child.kill('SIGKILL');
      }
    },
    30000,
  );
});
