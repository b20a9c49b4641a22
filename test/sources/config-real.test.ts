/**
 * The count a config-file reader claims is the count the real server starts: Debian's uWSGI (with its
 * python3 plugin) on the fixture's uwsgi.ini and Debian's Puma on the fixture's config/puma.rb. Each
 * runs as PID 1 of a private PID and network namespace, counted from /proc with `oneproc observe`'s
 * reader, and stopped with its namespace (SIGKILL to unshare, whose --kill-child takes the rest).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { observeTrees, readProcesses } from '../../src/observe';
import { readDockerfile } from '../../src/sources/dockerfile';
import { repositoryContext } from '../../src/sources/files';
import { checkImage } from '../../src/sources/image';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');
const NEEDS: Record<string, string> = {
  '/usr/bin/uwsgi': 'uwsgi',
  '/usr/lib/uwsgi/plugins/python3_plugin.so': 'uwsgi-plugin-python3',
  '/usr/bin/puma': 'puma',
  '/usr/bin/unshare': 'util-linux',
};
const started: ChildProcess[] = [];

beforeAll(() => {
  const missing = Object.entries(NEEDS).filter(([f]) => !fs.existsSync(f));
  if (missing.length > 0)
    throw new Error(`install with: apt-get install -y ${missing.map(([, p]) => p).join(' ')}`);
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
  const base: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete base.WEB_CONCURRENCY;
  delete base.UWSGI_WORKERS;
  const child = spawn('unshare', ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
    cwd: path.join(FIXTURES, fixture),
    env: { ...base, ...env },
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

describe('config-file readers against the real servers', () => {
  it('uWSGI applies uwsgi.ini where --ini stands, with $(UWSGI_WORKERS) from the environment', async () => {
    expect(await claimed('uwsgi-ini')).toBe(4);
    const argv = [
      '/usr/bin/uwsgi',
      // the ini sets `master = true`; the process-tree reader sees only argv, so say it there too
      '--master',
      '--plugin',
      'python3',
      '--ini',
      'uwsgi.ini',
      '--http-socket',
      '127.0.0.1:0',
    ];
    expect(await realCount('uwsgi-ini', argv, { UWSGI_WORKERS: '4' }, 4)).toBe(4);
  }, 30000);

  it('Puma reads `workers ENV.fetch("WEB_CONCURRENCY") { 2 }` from -C config/puma.rb', async () => {
    expect(await claimed('puma-config')).toBe(3);
    const argv = ['/usr/bin/puma', '-C', 'config/puma.rb', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('puma-config', argv, { WEB_CONCURRENCY: '3' }, 3)).toBe(3);
  }, 30000);

  it('Puma loads config/puma.rb by itself and falls back to its default of 2', async () => {
    expect(await claimed('puma-implicit')).toBe(2);
    const argv = ['/usr/bin/puma', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('puma-implicit', argv, {}, 2)).toBe(2);
  }, 30000);
});
