/**
 * The count the pm2 reader claims is the count pm2 starts: npm's pm2 (a devDependency) runs
 * `pm2-runtime` on each fixture's ecosystem or process file as PID 1 of a private PID and network
 * namespace, with PM2_HOME in a temporary folder (pm2-runtime runs its God in-process: no daemon
 * outside the namespace), and the app processes are counted from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readProcesses } from '../../src/observe';
import type { ProcessInfo } from '../../src/observe/types';
import { readDockerfile } from '../../src/sources/dockerfile';
import { repositoryContext } from '../../src/sources/files';
import { checkImage } from '../../src/sources/image';
import { requireDebian } from './real-helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');
const started: ChildProcess[] = [];
const homes: string[] = [];

function pm2Runtime(): string {
  try {
    return require.resolve('pm2/bin/pm2-runtime');
  } catch {
    throw new Error('pm2 is not installed: run `npm ci` (pm2 is a devDependency)');
  }
}

beforeAll(() => {
  requireDebian({ '/usr/bin/unshare': 'util-linux', '/usr/bin/gunicorn': 'gunicorn' });
  pm2Runtime();
});
afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

/** The findings the readers make of a fixture's Dockerfile: rule → workers. */
async function claimed(fixture: string): Promise<Record<string, number | null>> {
  const dir = path.join(FIXTURES, fixture);
  const spec = readDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), 'Dockerfile');
  const findings = await checkImage(
    spec,
    repositoryContext(spec, dir, (a) => path.relative(dir, a)),
  );
  return Object.fromEntries(findings.map((f) => [f.rule, f.workers]));
}

function descendants(all: readonly ProcessInfo[], root: number): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    for (const p of all) {
      if (p.ppid === pid && p.argv.length > 0) {
        out.push(p);
        stack.push(p.pid);
      }
    }
  }
  return out;
}

/**
 * Runs `pm2-runtime ARGS` in the fixture's folder and returns the processes below it, once `settled`
 * holds for four scans in a row (or after 20 s, for the assertion to show what ran).
 */
async function runPm2(
  fixture: string,
  args: string[],
  env: Record<string, string>,
  settled: (tree: ProcessInfo[]) => boolean,
): Promise<ProcessInfo[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-pm2-'));
  homes.push(home);
  const base: NodeJS.ProcessEnv = { ...process.env, PM2_HOME: home, PYTHONDONTWRITEBYTECODE: '1' };
  delete base.WEB_CONCURRENCY;
  const child = spawn(
    'unshare',
    ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, pm2Runtime(), ...args],
    { cwd: path.join(FIXTURES, fixture), env: { ...base, ...env }, stdio: 'ignore' },
  );
  started.push(child);
  try {
    const deadline = Date.now() + 20000;
    let held = 0;
    let tree: ProcessInfo[] = [];
    while (Date.now() < deadline && held <= 3) {
      await new Promise((r) => setTimeout(r, 500));
      tree = descendants(readProcesses(), child.pid as number);
      held = settled(tree) ? held + 1 : 0;
    }
    return tree;
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * The app processes: the children of pm2-runtime, whose God runs in-process. Not matched by name: pm2
 * retitles a fork-mode app `node SCRIPT`, cut to the length of its original command line, so a long
 * checkout path loses the script's name.
 */
const apps = (tree: ProcessInfo[]) =>
  tree.filter((p) => tree.some((q) => q.pid === p.ppid && q.argv.some((a) => a.endsWith('/pm2-runtime'))));

describe('pm2 reader against the real pm2-runtime', () => {
  it('ecosystem.config.js: `instances: process.env.WEB_CONCURRENCY || 4` with WEB_CONCURRENCY=3', async () => {
    expect(await claimed('pm2-ecosystem')).toEqual({ pm2: 3 });
    const tree = await runPm2(
      'pm2-ecosystem',
      ['start', 'ecosystem.config.js'],
      { WEB_CONCURRENCY: '3' },
      (t) => apps(t).length === 3,
    );
    expect(apps(tree)).toHaveLength(3);
  }, 40000);

  it('process.yml --only api: the fork-mode app starts its 2 instances, the other app none', async () => {
    expect(await claimed('pm2-only')).toEqual({ pm2: 2 });
    const tree = await runPm2('pm2-only', ['process.yml', '--only', 'api'], {}, (t) => apps(t).length === 2);
    expect(apps(tree)).toHaveLength(2);
  }, 40000);

  it('process.json: 2 instances of `gunicorn -w 2` are 2 masters with 2 workers each', async () => {
    expect(await claimed('pm2-python')).toEqual({ pm2: 2, gunicorn: 2 });
    const gunicorn = (t: ProcessInfo[]) => t.filter((p) => p.argv.some((a) => a.endsWith('/gunicorn')));
    const masters = (t: ProcessInfo[]) =>
      gunicorn(t).filter((p) => !gunicorn(t).some((q) => q.pid === p.ppid));
    const shape = (t: ProcessInfo[]) =>
      masters(t).map((m) => gunicorn(t).filter((p) => p.ppid === m.pid).length);
    const tree = await runPm2(
      'pm2-python',
      ['process.json'],
      { PATH: `/usr/bin:${process.env.PATH}` },
      (t) => {
        const s = shape(t);
        return s.length === 2 && s.every((n) => n === 2);
      },
    );
    expect(shape(tree)).toEqual([2, 2]);
  }, 40000);
});
