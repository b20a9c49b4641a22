/**
 * The count a source reader claims is the count the real server starts: Debian's gunicorn run on the
 * fixture's gunicorn.conf.py, and the write-up's `python main.py` (uvicorn.run with workers) run with
 * Debian's FastAPI and uvicorn. Each runs as PID 1 of a private PID and network namespace, counted
 * from /proc with `oneproc observe`'s reader, and stopped with its namespace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/manifest';
import { observeTrees, readProcesses } from '../../src/observe';
import { readDockerfile } from '../../src/sources/dockerfile';
import { repositoryContext } from '../../src/sources/files';
import { checkImage } from '../../src/sources/image';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');
const NEEDS: Record<string, string> = {
  '/usr/bin/gunicorn': 'gunicorn',
  '/usr/lib/python3/dist-packages/uvicorn': 'python3-uvicorn',
  '/usr/lib/python3/dist-packages/fastapi': 'python3-fastapi',
  '/usr/bin/unshare': 'util-linux',
};
const started: ChildProcess[] = [];

beforeAll(() => {
  const missing = Object.entries(NEEDS).filter(([f]) => !fs.existsSync(f));
  if (missing.length > 0)
    throw new Error(`install with: apt-get install -y ${missing.map(([, p]) => p).join(' ')}`);
  void checkText;
});
afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
});

async function claimed(fixture: string): Promise<number | null | undefined> {
  const dir = path.join(FIXTURES, fixture);
  const spec = readDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), 'Dockerfile');
  const [finding] = await checkImage(
    spec,
    repositoryContext(spec, dir, (a) => path.relative(dir, a)),
  );
  return finding ? finding.workers : 1;
}

async function realCount(
  fixture: string,
  argv: string[],
  env: Record<string, string>,
  expected: number,
): Promise<number> {
  const child = spawn('unshare', ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
    cwd: path.join(FIXTURES, fixture),
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
    stdio: 'ignore',
  });
  started.push(child);
  try {
    const deadline = Date.now() + 15000;
    let held = 0;
    let count = 0;
    while (Date.now() < deadline && held <= 3) {
      count = observeTrees(readProcesses(), [child.pid!])[0]?.workers ?? 0;
      held = count === expected ? held + 1 : 0;
      await new Promise((r) => setTimeout(r, 400));
    }
    return count;
  } finally {
    child.kill('SIGKILL');
  }
}

describe('source readers against the real servers', () => {
  it('gunicorn loads ./gunicorn.conf.py by itself and starts the workers it sets', async () => {
    const claim = await claimed('gunicorn-implicit');
    expect(claim).toBe(3);
    expect(
      await realCount('gunicorn-implicit', ['/usr/bin/gunicorn', '-b', '127.0.0.1:8000', 'app:app'], {}, 3),
    ).toBe(3);
  }, 30000);

  it('python main.py with uvicorn.run(workers=WORKERS) starts the workers the reader claims', async () => {
    const claim = await claimed('writeup-python');
    expect(claim).toBe(4);
    expect(await realCount('writeup-python', ['/usr/bin/python3', 'main.py'], {}, 4)).toBe(4);
  }, 30000);
});
