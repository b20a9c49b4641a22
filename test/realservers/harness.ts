/**
 * Starts a real server the way a container would run it and counts the worker processes it really
 * starts. Each server runs as PID 1 of its own PID + network + mount namespace
 * (`unshare --net --pid --fork --mount-proc --kill-child`): only loopback exists inside, so every server
 * can listen on its default port (8000, 9292, …) without colliding with another test, nothing is
 * reachable from outside, and killing `unshare` (our own child) kills the namespace's init, which makes
 * the kernel kill everything else in it. No process is ever looked up or killed by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The server families the table exercises; each knows how it is installed, when it is up, how to count. */
export type Family =
  | 'uvicorn'
  | 'gunicorn'
  | 'uwsgi'
  | 'hypercorn'
  | 'celery'
  | 'puma'
  | 'unicorn'
  | 'waitress'
  | 'daphne'
  | 'rq'
  | 'thin';

/**
 * How workers are counted:
 * - `leaves`: the leaf processes of the started tree, minus helpers (multiprocessing's resource
 *   tracker, redis-server started for rq). A master, arbiter or reloader has children, so it is not
 *   a leaf; a single-process server is its own leaf.
 * - `gunicorn-log`: "Booting worker with pid: N" lines whose pid is alive (a master with `-w 0` is a
 *   leaf but serves nothing).
 * - `uwsgi-log`: "spawned uWSGI worker N (… pid: P" lines whose pid is alive (without `--master` the
 *   first worker is the parent of the others, so it is not a leaf).
 */
export type Counting = 'leaves' | 'gunicorn-log' | 'uwsgi-log';

export interface FamilySpec {
  /** The Debian packages that provide it, for the error message when it is missing. */
  readonly packages: readonly string[];
  /** Files that must exist for it to run. */
  readonly requires: readonly string[];
  /** A log line printed once the server serves (after its workers were started). */
  readonly ready: RegExp;
  readonly counting: Counting;
  /** rq needs a Redis server: one is started inside the namespace before the server. */
  readonly redis?: boolean;
  /** Variables the harness adds to read the server (never the row's: the engine does not see them). */
  readonly harnessEnv?: (dir: string) => Record<string, string>;
}

const PY = '/usr/lib/python3/dist-packages';

export const FAMILIES: Record<Family, FamilySpec> = {
  uvicorn: {
    packages: ['python3-uvicorn'],
    requires: ['/usr/bin/python3', `${PY}/uvicorn/__main__.py`],
    ready: /Application startup complete|Started reloader process/,
    counting: 'leaves',
  },
  gunicorn: {
    packages: ['gunicorn'],
    requires: ['/usr/bin/gunicorn'],
    ready: /Booting worker with pid|Listening at/,
    counting: 'gunicorn-log',
  },
  uwsgi: {
    packages: ['uwsgi', 'uwsgi-plugin-python3'],
    requires: ['/usr/bin/uwsgi', '/usr/lib/uwsgi/plugins/python3_plugin.so'],
    ready: /spawned uWSGI worker|MODE: no-workers/,
    counting: 'uwsgi-log',
  },
  hypercorn: {
    packages: ['python3-hypercorn'],
    requires: ['/usr/bin/hypercorn'],
    ready: /Running on/,
    counting: 'leaves',
  },
  celery: {
    packages: ['celery', 'python3-celery'],
    requires: ['/usr/bin/celery', `${PY}/celery/__init__.py`],
    // At the default log level celery prints no "ready." line; the banner comes just before the pool.
    ready: /\[queues\]/,
    counting: 'leaves',
  },
  puma: {
    packages: ['puma'],
    requires: ['/usr/bin/puma'],
    ready: /Use Ctrl-C to stop/,
    counting: 'leaves',
  },
  unicorn: {
    packages: ['unicorn'],
    requires: ['/usr/bin/unicorn'],
    ready: /master process ready/,
    counting: 'leaves',
  },
  waitress: {
    packages: ['python3-waitress'],
    requires: ['/usr/bin/waitress-serve'],
    ready: /Serving on/,
    counting: 'leaves',
  },
  daphne: {
    packages: ['python3-daphne'],
    requires: ['/usr/bin/python3', `${PY}/daphne/cli.py`],
    ready: /Listening on TCP address/,
    counting: 'leaves',
  },
  thin: {
    packages: ['thin'],
    requires: ['/usr/bin/thin'],
    // In the foreground: "Listening on 0.0.0.0:3000"; in cluster mode the main process only prints
    // "Starting server on 0.0.0.0:300N ..." for each server it daemonizes, and with `-d` nothing: the
    // shell kept as init to count the daemons says when thin has returned.
    ready: /Listening on|Starting server on|\[harness\] the command exited/,
    counting: 'leaves',
    // Ruby buffers STDOUT on a pipe: without this the log lines come only when thin exits.
    harnessEnv: (dir) => ({ RUBYOPT: `-r${dir}/sync_stdout.rb` }),
  },
  rq: {
    packages: ['python3-rq', 'redis-server'],
    requires: ['/usr/bin/rq', '/usr/bin/redis-server'],
    ready: /Listening on/,
    counting: 'leaves',
    redis: true,
  },
};

/** The message a test fails with when a server (or unshare) is not installed. */
export function missingMessage(family: Family): string | undefined {
  const spec = FAMILIES[family];
  const missing = [...spec.requires, '/usr/bin/unshare'].filter((f) => !existsSync(f));
  if (missing.length === 0) return undefined;
  return (
    `${family} is not installed (missing ${missing.join(', ')}); ` +
    `install it with: apt-get install -y ${[...spec.packages, 'util-linux'].join(' ')} ` +
    '(scripts/setup.sh does this on a fresh Debian machine)'
  );
}

function consoleScript(importLine: string, call: string): string {
  return `#!/usr/bin/python3\nimport sys\n${importLine}\nif __name__ == "__main__":\n    sys.exit(${call})\n`;
}

/** Tiny apps every server can load: `wsgi:app`, `asgi:app`, `tasks` (celery), `config.ru` (Rack). */
const APP_FILES: Record<string, string> = {
  'wsgi.py': [
    'def app(environ, start_response):',
    '    start_response("200 OK", [("Content-Type", "text/plain")])',
    '    return [b"ok"]',
    '',
    'application = app',
    '',
  ].join('\n'),
  'asgi.py': [
    'async def app(scope, receive, send):',
    '    if scope["type"] == "lifespan":',
    '        while True:',
    '            message = await receive()',
    '            if message["type"] == "lifespan.startup":',
    '                await send({"type": "lifespan.startup.complete"})',
    '            elif message["type"] == "lifespan.shutdown":',
    '                await send({"type": "lifespan.shutdown.complete"})',
    '                return',
    '    if scope["type"] != "http":',
    '        return',
    '    await send({"type": "http.response.start", "status": 200, "headers": []})',
    '    await send({"type": "http.response.body", "body": b"ok"})',
    '',
  ].join('\n'),
  // The in-memory transport lets the worker start its pool without a broker.
  'tasks.py': [
    'from celery import Celery',
    '',
    'app = Celery("tasks", broker="memory://", backend="cache+memory://")',
    '',
    '',
    '@app.task',
    'def ping():',
    '    return "pong"',
    '',
  ].join('\n'),
  'config.ru': 'run ->(env) { [200, { "content-type" => "text/plain" }, ["ok"]] }\n',
  'sync_stdout.rb': 'STDOUT.sync = true\nSTDERR.sync = true\n',
  // Debian's python3-uvicorn and python3-daphne ship no console script; these are the ones pip writes.
  // The `__main__` guard matters: multiprocessing's spawn re-imports the main module in each worker.
  'bin/uvicorn': consoleScript('from uvicorn.main import main', 'main()'),
  'bin/daphne': consoleScript(
    'from daphne.cli import CommandLineInterface',
    'CommandLineInterface.entrypoint()',
  ),
};

/** A directory with the tiny apps and entry points, plus a row's own files (e.g. gunicorn.conf.py). */
export async function makeAppDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oneproc-realservers-'));
  await mkdir(join(dir, 'bin'));
  for (const [name, text] of Object.entries({ ...APP_FILES, ...files })) {
    await writeFile(join(dir, name), text, { mode: name.startsWith('bin/') ? 0o755 : 0o644 });
  }
  return dir;
}

/**
 * Kubernetes' `$(VAR)` expansion of command, args and env values, as the kubelet does it
 * (kubernetes/kubernetes third_party/forked/golang/expansion/expand.go): `$$` → `$`, `$(NAME)` → its
 * value or verbatim when NAME is undefined, an unclosed `$(` stays as is.
 */
export function expandKubernetes(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')');
      if (close > 0) {
        const name = rest.slice(1, close);
        out += vars.has(name) ? vars.get(name) : `$(${name})`;
        advance = close + 1;
      } else {
        out += '$(';
      }
    } else {
      out += `$${rest[0]}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** The container env as the kubelet builds it: each value expanded against the entries before it. */
export function kubeletEnv(env: readonly { name: string; value: string }[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const { name, value } of env) vars.set(name, expandKubernetes(value, vars));
  return vars;
}

export interface Proc {
  /** The pid as seen from here (the test's namespace). */
  readonly pid: number;
  /** The pid inside the server's namespace (what its logs print). */
  readonly nspid: number;
  readonly cmdline: string;
  readonly children: readonly number[];
}

/** Processes started only to support the server: never workers. */
const HELPER = /multiprocessing\.(resource_tracker|semaphore_tracker|forkserver)|redis-server/;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every live process below `root` (included), read from /proc. Processes that vanish mid-read are skipped. */
export function processTree(root: number): Proc[] {
  const procs: Proc[] = [];
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const status = readText(`/proc/${pid}/status`);
    if (status === undefined || /^State:\s+Z/m.test(status)) continue;
    const nspids = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [String(pid)];
    const children: number[] = [];
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const list = readText(`/proc/${pid}/task/${task}/children`) ?? '';
      for (const child of list.trim().split(/\s+/)) if (child) children.push(Number(child));
    }
    const cmdline = (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replace(/\0/g, ' ');
    procs.push({ pid, nspid: Number(nspids[nspids.length - 1]), cmdline, children });
    queue.push(...children);
  }
  return procs;
}

/** Leaf processes of the tree that are not helpers: the processes that serve. */
export function leafWorkers(procs: readonly Proc[]): Proc[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const isHelper = (p: Proc) => HELPER.test(p.cmdline);
  return procs.filter(
    (p) => !isHelper(p) && p.children.every((c) => byPid.get(c) === undefined || isHelper(byPid.get(c)!)),
  );
}

/** Worker pids a log announces, as printed (pids inside the namespace). */
export function loggedWorkerPids(counting: Counting, log: string): number[] {
  const pattern =
    counting === 'gunicorn-log'
      ? /Booting worker with pid: (\d+)/g
      : /spawned uWSGI worker \d+ (?:\(and the only\) )?\(pid: (\d+)/g;
  return [...log.matchAll(pattern)].map((m) => Number(m[1]));
}

/** Counts the workers of a running tree, the way `counting` says. */
export function countWorkers(counting: Counting, procs: readonly Proc[], log: string): number {
  if (counting === 'leaves') return leafWorkers(procs).length;
  const alive = new Set(procs.map((p) => p.nspid));
  return new Set(loggedWorkerPids(counting, log).filter((pid) => alive.has(pid))).size;
}

export interface Launch {
  readonly family: Family;
  /** The program and its arguments after the kubelet's expansion. */
  readonly argv: readonly string[];
  /** The container env after the kubelet's expansion (PATH, HOME and LANG are added below it). */
  readonly env: ReadonlyMap<string, string>;
  readonly dir: string;
  /**
   * The count the table expects. Observation stops early once this count has held for the stability
   * window; any other count is watched until the watch ends and then reported as it is.
   */
  readonly expected?: number;
}

export interface Observation {
  /** Worker processes counted once the tree was stable. */
  readonly workers: number;
  /** Whether the server printed its ready line in time. */
  readonly ready: boolean;
  /** Whether the count stayed the same for the stability window before the watch ended. */
  readonly stable: boolean;
  /** Whether the server had exited by itself. */
  readonly exited: boolean;
  readonly elapsedMs: number;
  /** When the ready line appeared, after the start. */
  readonly readyMs: number | undefined;
  /** How long stopping the namespace took. */
  readonly stopMs: number;
  readonly processes: readonly Proc[];
  readonly log: string;
  /** Processes of the namespace still alive after stopping it (should be none). */
  readonly survivors: readonly number[];
}

/** The output kept per server: enough for every log line the counting reads. */
const LOG_CAP = 256 * 1024;

/** One started namespace: the `unshare` child we own, and what the server printed. */
export class RunningServer {
  readonly child: ChildProcess;
  log = '';
  exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(launch: Launch) {
    const spec = FAMILIES[launch.family];
    const env: Record<string, string> = {
      // Debian's interpreters and entry points; pip/pyenv shims on the test's PATH must not be used.
      PATH: `${launch.dir}/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: launch.dir,
      LANG: 'C.UTF-8',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
      ...spec.harnessEnv?.(launch.dir),
      ...Object.fromEntries(launch.env),
    };
    // A new network namespace has only `lo`, and it is down: bring it up so that servers can reach
    // 127.0.0.1 (rq's Redis), then exec the server so that it is the namespace's init.
    const prelude = spec.redis
      ? 'ip link set lo up && redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null && exec "$@"'
      : 'ip link set lo up && exec "$@"';
    const argv = ['/bin/sh', '-c', prelude, 'sh', ...launch.argv];
    this.child = spawn('unshare', ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
      cwd: launch.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer) => {
      if (this.log.length < LOG_CAP) this.log += chunk.toString('utf8');
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.log += `\n[harness] could not start unshare: ${err.message}\n`;
        this.exited = true;
        resolve();
      });
      this.child.on('exit', () => {
        this.exited = true;
        resolve();
      });
    });
    LIVE.add(this);
  }

  /** The namespace's init (the server, or sh for rq), seen from here. */
  initPid(): number | undefined {
    const pid = this.child.pid;
    if (pid === undefined) return undefined;
    const list = readText(`/proc/${pid}/task/${pid}/children`)?.trim();
    return list ? Number(list.split(/\s+/)[0]) : undefined;
  }

  /** Kills the namespace (SIGKILL to `unshare`, whose death kills its init) and waits until it is empty. */
  async stop(nsInode: string | undefined, pids: readonly number[]): Promise<number[]> {
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exitPromise;
    LIVE.delete(this);
    const deadline = Date.now() + 3000;
    for (;;) {
      // A killed init stays a zombie until the machine's init reaps it: dead, so not a survivor.
      const survivors = pids.filter(
        (pid) => nsInode !== undefined && pidNamespace(pid) === nsInode && !isZombie(pid),
      );
      if (survivors.length === 0 || Date.now() > deadline) return survivors;
      await sleep(50);
    }
  }
}

/** Every namespace started and not yet stopped, so that nothing outlives the test process. */
const LIVE = new Set<RunningServer>();

process.on('exit', () => {
  for (const server of LIVE) server.child.kill('SIGKILL');
});

/** Stops every server still running (afterAll, also after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...LIVE].map((s) => s.stop(undefined, [])));
}

function isZombie(pid: number): boolean {
  return /^State:\s+Z/m.test(readText(`/proc/${pid}/status`) ?? 'State: Z');
}

function pidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ObserveOptions {
  /**
   * Give up when the server has not printed its ready line after this long. Generous: on a machine
   * shared with other work a Python server can take seconds just to import.
   */
  readonly readyDeadlineMs: number;
  /**
   * Once ready, watch the count at most this long; the count seen then is reported (marked unstable
   * if it was still changing).
   */
  readonly watchMs: number;
  /** The count must stay the same this long after the ready line to be trusted. */
  readonly stableMs: number;
  readonly pollMs: number;
}

export const DEFAULT_OBSERVE: ObserveOptions = {
  readyDeadlineMs: 20_000,
  watchMs: 6000,
  stableMs: 1000,
  pollMs: 100,
};

/**
 * Starts the server, waits until it is ready and its worker count is stable (both bounded), stops
 * it, and reports what it saw.
 */
export async function observe(
  launch: Launch,
  options: ObserveOptions = DEFAULT_OBSERVE,
): Promise<Observation> {
  const spec = FAMILIES[launch.family];
  const started = Date.now();
  const server = new RunningServer(launch);
  let nsInode: string | undefined;
  let procs: Proc[] = [];
  let workers = 0;
  let signature = '';
  let since = Date.now();
  let ready = false;
  let stable = false;
  let readyMs: number | undefined;
  let stoppedAt = 0;
  let survivors: number[] = [];
  let exitedBySelf = false;
  const seenPids = new Set<number>();
  try {
    for (;;) {
      const now = Date.now();
      if (
        readyMs === undefined
          ? now - started > options.readyDeadlineMs
          : now - started - readyMs > options.watchMs
      ) {
        break;
      }
      await sleep(options.pollMs);
      if (server.exited) {
        exitedBySelf = true;
        procs = [];
        break;
      }
      const init = server.initPid();
      procs = init === undefined ? [] : processTree(init);
      if (init !== undefined) nsInode ??= pidNamespace(init);
      for (const p of procs) seenPids.add(p.pid);
      workers = countWorkers(spec.counting, procs, server.log);
      const next = `${workers}|${procs.map((p) => p.pid).join(',')}`;
      if (next !== signature) {
        signature = next;
        since = Date.now();
      }
      if (!ready && spec.ready.test(server.log)) {
        ready = true;
        readyMs = Date.now() - started;
      }
      stable = ready && Date.now() - since >= options.stableMs;
      // A starved machine can hold a master back from forking for a second or more, so a count other
      // than the one expected is only reported once the watch has ended.
      if (stable && (launch.expected === undefined || workers === launch.expected)) break;
    }
  } finally {
    stoppedAt = Date.now();
    survivors = await server.stop(nsInode, [...seenPids]);
  }
  return {
    workers: exitedBySelf ? 0 : workers,
    ready,
    stable,
    exited: exitedBySelf,
    elapsedMs: Date.now() - started,
    readyMs,
    stopMs: Date.now() - stoppedAt,
    processes: procs,
    log: server.log,
    survivors,
  };
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
