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
import { isShellProgram } from '../shell/shells';
import type { SimpleCommand } from '../shell/types';
import { basename } from '../shell/wrappers';
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

/**
 * Analyses the processes of one container (or one process tree): every server found in it, masters
 * with their workers first, then single-process servers that no other server's tree holds. A process
 * manager or wrapper (supervisord, pm2-runtime, `uv run`) whose tree holds a server is not a server
 * itself. Ordered by PID.
 */
export function analyseServers(processes: readonly ProcessInfo[]): TreeAnalysis[] {
  const live = processes.filter((p) => p.argv.length > 0);
  if (live.length === 0) return [];
  const byPid = new Map(live.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessInfo[]>();
  for (const p of live) {
    if (!byPid.has(p.ppid)) continue;
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const subtree = (root: ProcessInfo): number[] => {
    const out: number[] = [];
    const stack = [root];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen.has(p.pid)) continue;
      seen.add(p.pid);
      out.push(p.pid);
      stack.push(...(children.get(p.pid) ?? []));
    }
    return out;
  };

  // Masters: the most workers first (then the outermost), each unless another master's workers hold it.
  const candidates: Array<{ parent: ProcessInfo; kids: ProcessInfo[]; depth: number }> = [];
  for (const parent of live) {
    const kids = (children.get(parent.pid) ?? []).filter((c) => isWorkerOf(c, parent));
    if (kids.length > 0) candidates.push({ parent, kids, depth: depthOf(parent, byPid) });
  }
  candidates.sort(
    (a, b) => b.kids.length - a.kids.length || a.depth - b.depth || a.parent.pid - b.parent.pid,
  );
  const covered = new Set<number>();
  const found: TreeAnalysis[] = [];
  const mains = new Set<number>();
  for (const candidate of candidates) {
    const { parent } = candidate;
    if (covered.has(parent.pid)) continue;
    // A launcher whose only "worker" is another server's master (pm2-runtime and its God daemon).
    const kids = candidate.kids.filter((k) => !covered.has(k.pid));
    if (kids.length === 0) continue;
    covered.add(parent.pid);
    for (const kid of kids) for (const pid of subtree(kid)) covered.add(pid);
    found.push(masterAnalysis(parent, kids));
    mains.add(parent.pid);
  }

  // Single-process servers outside every master's tree; the innermost when one holds another.
  const singles = live.filter((p) => !covered.has(p.pid) && recogniseServer(p) !== undefined);
  const singlePids = new Set(singles.map((p) => p.pid));
  for (const p of singles) {
    const inside = subtree(p).filter((pid) => pid !== p.pid);
    if (inside.some((pid) => mains.has(pid) || singlePids.has(pid))) continue;
    found.push(singleAnalysis(p));
  }

  if (found.length === 0) found.push(singleAnalysis(pickServer(live, byPid, children)));
  return found.sort((a, b) => a.mainPid - b.mainPid);
}

/** The server with the most workers in one container (or process tree), or null without live processes. */
export function analyseTree(processes: readonly ProcessInfo[]): TreeAnalysis | null {
  const servers = analyseServers(processes);
  if (servers.length === 0) return null;
  return servers.reduce((best, s) => (s.workers > best.workers ? s : best));
}

function singleAnalysis(main: ProcessInfo): TreeAnalysis {
  return {
    server: serverOf(main),
    workers: 1,
    mainPid: main.pid,
    workerPids: [main.pid],
    command: commandText(main),
  };
}

function masterAnalysis(parent: ProcessInfo, kids: readonly ProcessInfo[]): TreeAnalysis {
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

/** A shell forks a copy of itself for a subshell: that copy is not a worker. */
function isShell(p: ProcessInfo): boolean {
  return isShellProgram(basename(p.argv[0] ?? ''));
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
