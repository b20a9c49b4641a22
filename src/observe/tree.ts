/**
 * Finds the server in a set of processes and counts the workers it really runs. Pure: the
 * processes come from `readProcesses` (or a fixture), the answer is data.
 *
 * How servers look from /proc:
 * - Forking servers (gunicorn, uWSGI, celery prefork, puma/unicorn clusters, Odoo): a master whose
 *   children run the same command line (fork without exec), or carry a worker process title
 *   (`gunicorn: worker [app]`, `puma: cluster worker 0: …`, `unicorn worker[0] …`).
 * - Spawning servers (uvicorn, hypercorn): a supervisor whose children are
 *   `python -c "from multiprocessing.spawn import spawn_main; …" --multiprocessing-fork`, next to one
 *   `multiprocessing.resource_tracker` helper that is not a worker.
 * - pm2: the God daemon (`PM2 vX: God Daemon`) or pm2-runtime with the app instances as children.
 * - uWSGI without `--master`: the first worker is the parent of the others, so it counts too.
 * A server with no worker children is one process.
 */
import { RULES } from '../rules';
import type { SimpleCommand } from '../shell/types';
import type { ProcessInfo } from './types';

export interface TreeAnalysis {
  readonly server: string;
  readonly workers: number;
  readonly mainPid: number;
  readonly workerPids: readonly number[];
  readonly command: string;
}

const HELPER = /multiprocessing\.(resource_tracker|semaphore_tracker|forkserver)|\bresource_tracker\b/;
const SPAWN_CHILD = /multiprocessing\.spawn import spawn_main|--multiprocessing-fork/;
const WORKER_TITLE =
  /^(gunicorn: worker|puma: cluster worker|unicorn(_rails)? worker\[|uWSGI worker|\[celeryd: |celery worker:? ForkPoolWorker|ForkPoolWorker)/;
const PM2 = /^PM2 v[\d.]+: God Daemon|(^|\/)pm2(-runtime|-docker)?$/;
const INTERPRETER = /^(python[\d.]*|pypy[\d.]*|ruby[\d.]*|node(js)?|php[\d.]*|bun|deno)$/;

/** The title of a process as a person reads it: its command line, or its name in brackets. */
export function commandText(p: ProcessInfo): string {
  return p.argv.length > 0 ? p.argv.join(' ') : `[${p.comm}]`;
}

/** Analyses the processes of one container (or one process tree). */
export function analyseTree(processes: readonly ProcessInfo[]): TreeAnalysis | null {
  const live = processes.filter((p) => p.argv.length > 0);
  if (live.length === 0) return null;
  const byPid = new Map(live.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessInfo[]>();
  for (const p of live) {
    if (!byPid.has(p.ppid)) continue;
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }

  let best: { parent: ProcessInfo; kids: ProcessInfo[]; depth: number } | null = null;
  for (const parent of live) {
    const kids = (children.get(parent.pid) ?? []).filter((c) => isWorkerOf(c, parent));
    if (kids.length === 0) continue;
    const depth = depthOf(parent, byPid);
    if (!best || kids.length > best.kids.length || (kids.length === best.kids.length && depth < best.depth)) {
      best = { parent, kids, depth };
    }
  }

  if (!best) {
    const main = pickServer(live, byPid, children);
    return {
      server: serverOf(main),
      workers: 1,
      mainPid: main.pid,
      workerPids: [main.pid],
      command: commandText(main),
    };
  }
  const { parent, kids } = best;
  const server = serverOf(parent);
  const parentIsWorker =
    server === 'uwsgi' && !parent.argv.some((a) => a === '--master' || a === '-M' || /^--master=/.test(a));
  const workerPids = [...(parentIsWorker ? [parent.pid] : []), ...kids.map((k) => k.pid)].sort(
    (a, b) => a - b,
  );
  return {
    server,
    workers: workerPids.length,
    mainPid: parent.pid,
    workerPids,
    command: commandText(parent),
  };
}

function isWorkerOf(child: ProcessInfo, parent: ProcessInfo): boolean {
  const text = child.argv.join(' ');
  if (HELPER.test(text)) return false;
  if (SPAWN_CHILD.test(text)) return true;
  if (WORKER_TITLE.test(text)) return true;
  if (PM2.test(parent.argv[0] ?? '') || parent.argv.some((a) => /(^|\/)pm2(-runtime|-docker)?$/.test(a)))
    return true;
  return sameCommand(child, parent) && !isShell(parent);
}

function sameCommand(a: ProcessInfo, b: ProcessInfo): boolean {
  return a.argv.length === b.argv.length && a.argv.every((w, i) => w === b.argv[i]);
}

function isShell(p: ProcessInfo): boolean {
  return /(^|\/)(ba|da|a|z)?sh$/.test(p.argv[0] ?? '');
}

function depthOf(p: ProcessInfo, byPid: Map<number, ProcessInfo>): number {
  let depth = 0;
  let cur: ProcessInfo | undefined = p;
  const seen = new Set<number>();
  while (cur && byPid.has(cur.ppid) && !seen.has(cur.pid)) {
    seen.add(cur.pid);
    cur = byPid.get(cur.ppid);
    depth++;
  }
  return depth;
}

/**
 * The process a single-process container serves from: a recognised server, else the first process
 * without children (past wrappers such as tini, sh and unshare).
 */
function pickServer(
  live: readonly ProcessInfo[],
  byPid: Map<number, ProcessInfo>,
  children: Map<number, ProcessInfo[]>,
): ProcessInfo {
  const recognised = live.filter((p) => recogniseServer(p) !== undefined);
  const leaves = live.filter((p) => !children.has(p.pid));
  const pool = recognised.length > 0 ? recognised : leaves.length > 0 ? leaves : live;
  return [...pool].sort((a, b) => depthOf(a, byPid) - depthOf(b, byPid) || a.pid - b.pid)[0];
}

function serverOf(p: ProcessInfo): string {
  return recogniseServer(p) ?? basename(programArgv(p)[0] ?? p.comm);
}

/** The rule id that recognises a process's command line, as the engine would for a container. */
export function recogniseServer(p: ProcessInfo): string | undefined {
  const title = p.argv[0] ?? '';
  const fromTitle = /^(gunicorn|puma|unicorn|uWSGI|celery|PM2)\b/.exec(title)?.[1];
  if (fromTitle) return { uWSGI: 'uwsgi', PM2: 'pm2' }[fromTitle] ?? fromTitle;
  if (title.startsWith('[celeryd')) return 'celery';
  const argv = programArgv(p);
  if (argv.length === 0) return undefined;
  const cmd: SimpleCommand = {
    argv: argv.map((text, i) => ({ text, path: `cmdline[${i}]` })),
    env: new Map(),
    wrappers: [],
  };
  return RULES.find((r) => {
    try {
      return r.recognise(cmd) && r.id !== 'out-of-scope';
    } catch {
      return false;
    }
  })?.id;
}

/** The command line without its interpreter: `python3 /usr/bin/gunicorn …` → `gunicorn …`. */
function programArgv(p: ProcessInfo): readonly string[] {
  const argv = p.argv;
  if (argv.length >= 2 && INTERPRETER.test(basename(argv[0]))) {
    let i = 1;
    while (i < argv.length && /^-[a-zA-Z]$/.test(argv[i]) && argv[i] !== '-m' && argv[i] !== '-c') i++;
    if (argv[i] === '-m' && argv[i + 1]) return argv.slice(i + 1);
    if (argv[i] && !argv[i].startsWith('-')) return [basename(argv[i]), ...argv.slice(i + 1)];
  }
  return argv;
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}
