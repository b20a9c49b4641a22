/**
 * Shared by the source readers' real-server tests: what a reader claims for a fixture repository, and
 * what the real server starts there — as PID 1 of a private PID and network namespace, counted from
 * /proc with `oneproc observe`'s reader, and stopped with its namespace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { observeTrees, type ProcessInfo, readProcesses } from '../../src/observe';
import { readDockerfile } from '../../src/sources/dockerfile';
import { repositoryContext } from '../../src/sources/files';
import { checkImage } from '../../src/sources/image';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');
const started: ChildProcess[] = [];

/** Fails with the apt-get command when a needed file (a server, a module) is missing. */
export function requireDebian(needs: Record<string, string>): void {
  const missing = Object.entries(needs).filter(([f]) => !fs.existsSync(f));
  if (missing.length > 0)
    throw new Error(`install with: apt-get install -y ${missing.map(([, p]) => p).join(' ')}`);
}

/** Kills every namespace still running (afterAll, also after a failure). */
export function stopStarted(): void {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
}

/** The worker count the readers claim for a fixture's Dockerfile (1 when they find nothing). */
export async function claimed(fixture: string): Promise<number | null | undefined> {
  const dir = path.join(FIXTURES, fixture);
  const spec = readDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), 'Dockerfile');
  const [finding] = await checkImage(
    spec,
    repositoryContext(spec, dir, (a) => path.relative(dir, a)),
  );
  return finding ? finding.workers : 1;
}

/**
 * The workers the real server starts in the fixture's folder: polled until the expected count holds
 * for four scans, or 15 s pass (then the count seen is returned, for the assertion to show). `count`
 * replaces `oneproc observe`'s reader for what is not a server's workers (supervisord's programs): it
 * gets every process and the PID of the unshare process whose child is the namespace's PID 1.
 */
export async function realCount(
  fixture: string,
  argv: string[],
  env: Record<string, string>,
  expected: number,
  count?: (processes: readonly ProcessInfo[], root: number) => number,
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
    let seen = 0;
    while (Date.now() < deadline && held <= 3) {
      const processes = readProcesses();
      seen = count ? count(processes, child.pid!) : (observeTrees(processes, [child.pid!])[0]?.workers ?? 0);
      held = seen === expected ? held + 1 : 0;
      await new Promise((r) => setTimeout(r, 400));
    }
    return seen;
  } finally {
    child.kill('SIGKILL');
  }
}
