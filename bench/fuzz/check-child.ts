/**
 * A worker process of the check fuzz runner (check-runner.ts starts it; not run by hand). Checks the
 * inputs `from`… of one sample of hostile repositories (`fc.sample(hostileRepo, { seed, numRuns:
 * size })`) and reports each over IPC: `start` before it, `done` with its figures and failures after.
 * The parent kills it when an input takes too long; its heap is bounded by --max-old-space-size.
 */
import fc from 'fast-check';
import { checkRepo, type Failure, workspace } from './check-harness';
import { describeRepo, type HostileRepo, hostileRepo } from './repos';

export interface ChildJob {
  readonly seed: number;
  readonly size: number;
  readonly from: number;
  /** This worker's own folder: the repository, the host folder and the canary folder go there. */
  readonly dir: string;
  /**
   * The resident set, MiB, past which the worker stops after an input and the runner starts a fresh
   * one: the Python parser's WebAssembly memory only grows, and a long-lived worker would otherwise
   * reach its limit, after which every parse fails (a worker artefact, not an input's doing).
   */
  readonly recycleMb: number;
}

export type ChildMessage =
  | { readonly t: 'start'; readonly i: number }
  | {
      readonly t: 'done';
      readonly i: number;
      readonly ms: number;
      readonly code?: number;
      readonly failures: Failure[];
      /** The input, described, when it failed. */
      readonly repo?: string;
      /** Heap in use after the input, bytes. */
      readonly heap: number;
      /** The process's peak resident set so far, and how much this input raised it, KiB. */
      readonly maxRss: number;
      readonly rssRise: number;
    };

const send = (m: ChildMessage) =>
  new Promise<void>((resolve, reject) => process.send!(m, undefined, {}, (e) => (e ? reject(e) : resolve())));

/** A small repository that loads every reader once, so the first real input is not charged for it. */
const WARM_UP: HostileRepo = {
  entries: [
    {
      kind: 'file',
      path: 'Dockerfile',
      text: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["python", "main.py"]\n',
    },
    { kind: 'file', path: 'main.py', text: 'import uvicorn\nuvicorn.run("main:app", workers=2)\n' },
    { kind: 'file', path: 'gunicorn.conf.py', text: 'workers = 2\n' },
    { kind: 'file', path: 'ecosystem.config.js', text: "module.exports = { apps: [{ script: 'a.js' }] };\n" },
    {
      kind: 'file',
      path: 'deploy.yaml',
      text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, command: [gunicorn, -c, gunicorn.conf.py]}]}\n',
    },
  ],
  args: ['--format', 'sarif', '.'],
  color: false,
  planted: [],
};

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as ChildJob;
  const ws = workspace(job.dir);
  await checkRepo(ws, WARM_UP);
  const repos = fc.sample(hostileRepo, { seed: job.seed, numRuns: job.size });
  for (let i = job.from; i < job.size; i++) {
    await send({ t: 'start', i });
    const before = process.resourceUsage().maxRSS;
    const { outcome, failures } = await checkRepo(ws, repos[i]!);
    const maxRss = process.resourceUsage().maxRSS;
    const rss = process.memoryUsage().rss;
    await send({
      t: 'done',
      i,
      ms: outcome.ms,
      ...(outcome.code === undefined ? {} : { code: outcome.code }),
      failures,
      ...(failures.length > 0 ? { repo: describeRepo(repos[i]!) } : {}),
      heap: process.memoryUsage().heapUsed,
      maxRss,
      rssRise: maxRss - before,
    });
    if (rss > job.recycleMb * 2 ** 20) break;
  }
  process.disconnect();
}

main().catch((e) => {
  process.stderr.write(`check fuzz worker: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(70);
});
