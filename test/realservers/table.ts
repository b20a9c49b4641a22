/**
 * The command lines the real servers are started with, and how many worker processes each server
 * starts according to its own documentation and source (../shared SERVERS.md notes, re-checked here by
 * running it). The harness checks every count against the real server, then the engine against it.
 */
import type { Family } from './harness';

export interface Row {
  readonly family: Family;
  /** The container's `command` (Kubernetes semantics: replaces the image's ENTRYPOINT). */
  readonly command: readonly string[];
  /** The container's `args`. */
  readonly args?: readonly string[];
  /** The container's literal `env`, in order. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The worker processes the real server starts (a master, arbiter or reloader is not a worker), or
   * `cpus`: one per CPU of the machine.
   */
  readonly workers: number | 'cpus';
  /**
   * `hidden`: the count is set in a file in the image (gunicorn.conf.py, unicorn.rb) or behind a script
   * (an entrypoint's `exec "$@"`) that a container spec cannot show, so the engine can only warn.
   */
  readonly engine?: 'hidden';
  /**
   * The main process forks this many servers into the background and exits (thin's cluster mode and
   * `--daemonize`): as a container's command it stops the container. `workers` is then 0 (nothing
   * keeps running once the namespace's init is gone); the daemons are counted in a second run where a
   * shell stays the namespace's init.
   */
  readonly daemonizes?: number;
  /** The server refuses its options and exits at start: the container does not start. */
  readonly refuses?: true;
  /** Extra files in the app directory (the image's working directory). */
  readonly files?: Readonly<Record<string, string>>;
}

const UWSGI = ['uwsgi', '--plugin', 'python3', '--http-socket', '127.0.0.1:8000', '--wsgi-file', 'wsgi.py'];
const GUNICORN_CONF = { 'gunicorn.conf.py': 'workers = 3\n' };
const ENTRYPOINT = '#!/bin/sh\nset -e\necho "entrypoint: starting $1"\nexec "$@"\n';

export const ROWS: readonly Row[] = [
  // uvicorn 0.17.6: --workers, else UVICORN_WORKERS (click env prefix), else WEB_CONCURRENCY, else 1;
  // 0 becomes 1; --reload runs one server process under a reloader and ignores --workers.
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app'], workers: 1 },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app', '--workers', '4'], workers: 4 },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app', '--workers=3'], workers: 3 },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app', '--workers', '0'], workers: 1 },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app', '--workers', '1'], workers: 1 },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app'], env: { WEB_CONCURRENCY: '3' }, workers: 3 },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app'], env: { UVICORN_WORKERS: '2' }, workers: 2 },
  {
    family: 'uvicorn',
    command: ['uvicorn', 'asgi:app', '--workers', '1'],
    env: { WEB_CONCURRENCY: '3' },
    workers: 1,
  },
  {
    family: 'uvicorn',
    command: ['uvicorn', 'asgi:app'],
    env: { WEB_CONCURRENCY: '4', UVICORN_WORKERS: '2' },
    workers: 2,
  },
  { family: 'uvicorn', command: ['uvicorn', 'asgi:app', '--reload', '--workers', '4'], workers: 1 },
  { family: 'uvicorn', command: ['sh', '-c', 'exec uvicorn asgi:app --workers 2'], workers: 2 },
  { family: 'uvicorn', command: ['python3', '-m', 'uvicorn', 'asgi:app', '--workers', '2'], workers: 2 },
  {
    family: 'uvicorn',
    command: ['uvicorn'],
    args: ['asgi:app', '--workers', '$(WORKERS)'],
    env: { WORKERS: '3' },
    workers: 3,
  },
  {
    family: 'uvicorn',
    command: ['/bin/sh', '-c', 'exec uvicorn asgi:app --workers "$WORKERS"'],
    env: { WORKERS: '2' },
    workers: 2,
  },

  // gunicorn 20.1.0: defaults (WEB_CONCURRENCY) < config file < GUNICORN_CMD_ARGS < command line;
  // argparse accepts -w3, -w=3 and --workers=3; -w 0 is a master without workers; threads are threads.
  { family: 'gunicorn', command: ['gunicorn', 'wsgi:app'], workers: 1 },
  { family: 'gunicorn', command: ['gunicorn', '-w', '3', 'wsgi:app'], workers: 3 },
  { family: 'gunicorn', command: ['gunicorn', '-w3', 'wsgi:app'], workers: 3 },
  { family: 'gunicorn', command: ['gunicorn', '-w=2', 'wsgi:app'], workers: 2 },
  { family: 'gunicorn', command: ['gunicorn', '--workers=2', 'wsgi:app'], workers: 2 },
  { family: 'gunicorn', command: ['gunicorn', 'wsgi:app'], env: { WEB_CONCURRENCY: '3' }, workers: 3 },
  { family: 'gunicorn', command: ['gunicorn', 'wsgi:app'], env: { GUNICORN_CMD_ARGS: '-w 3' }, workers: 3 },
  {
    family: 'gunicorn',
    command: ['gunicorn', '-w', '1', 'wsgi:app'],
    env: { GUNICORN_CMD_ARGS: '-w 3' },
    workers: 1,
  },
  {
    family: 'gunicorn',
    command: ['gunicorn', '-w', '2', 'wsgi:app'],
    env: { WEB_CONCURRENCY: '4' },
    workers: 2,
  },
  { family: 'gunicorn', command: ['gunicorn', '-w', '0', 'wsgi:app'], workers: 0 },
  { family: 'gunicorn', command: ['gunicorn', '--threads', '4', 'wsgi:app'], workers: 1 },
  { family: 'gunicorn', command: ['gunicorn', '-k', 'gthread', '--threads', '8', 'wsgi:app'], workers: 1 },
  {
    family: 'gunicorn',
    command: ['gunicorn', '-c', 'gunicorn.conf.py', 'wsgi:app'],
    files: GUNICORN_CONF,
    workers: 3,
    engine: 'hidden',
  },
  {
    family: 'gunicorn',
    command: ['gunicorn', '-c', 'gunicorn.conf.py', '-w', '1', 'wsgi:app'],
    files: GUNICORN_CONF,
    workers: 1,
  },
  { family: 'gunicorn', command: ['python3', '-m', 'gunicorn', '-w', '2', 'wsgi:app'], workers: 2 },
  { family: 'gunicorn', command: ['env', 'WEB_CONCURRENCY=2', 'gunicorn', 'wsgi:app'], workers: 2 },
  // An entrypoint script that ends in `exec "$@"`: the words after it are what runs. From the
  // container spec alone the script is not visible, so the engine warns, naming it.
  {
    family: 'gunicorn',
    command: ['sh', 'entrypoint.sh', 'gunicorn', '-w', '2', 'wsgi:app'],
    files: { 'entrypoint.sh': ENTRYPOINT },
    workers: 2,
    engine: 'hidden',
  },
  {
    family: 'gunicorn',
    command: ['bin/entrypoint.sh', 'gunicorn', '-w', '2', 'wsgi:app'],
    files: { 'bin/entrypoint.sh': ENTRYPOINT },
    workers: 2,
    engine: 'hidden',
  },
  // Counts gunicorn refuses (argparse `type=int`): it exits, the container does not start.
  { family: 'gunicorn', command: ['gunicorn', '-w', '$(UNDEFINED)', 'wsgi:app'], workers: 0, refuses: true },
  {
    family: 'gunicorn',
    command: ['gunicorn', '--workers', '$WORKERS', 'wsgi:app'],
    env: { WORKERS: '2' },
    workers: 0,
    refuses: true,
  },
  {
    family: 'gunicorn',
    command: ['gunicorn', 'wsgi:app'],
    env: { CPUS: '2', WEB_CONCURRENCY: '$$(CPUS)' },
    workers: 0,
    refuses: true,
  },

  // hypercorn 0.13.2: -w/--workers (default 1, served in-process); no WEB_CONCURRENCY.
  { family: 'hypercorn', command: ['hypercorn', '-w', '2', 'asgi:app'], workers: 2 },
  { family: 'hypercorn', command: ['hypercorn', '-w', '1', 'asgi:app'], workers: 1 },
  { family: 'hypercorn', command: ['hypercorn', 'asgi:app'], env: { WEB_CONCURRENCY: '3' }, workers: 1 },

  // uWSGI 2.0.21: -p/--processes/--workers are one option; every UWSGI_<OPTION> env var is an option;
  // --master adds a master that is not a worker; `%k` is a config-file magic, 0 on the command line.
  { family: 'uwsgi', command: UWSGI, workers: 1 },
  { family: 'uwsgi', command: [...UWSGI, '--processes', '3'], workers: 3 },
  { family: 'uwsgi', command: [...UWSGI, '-p', '2'], workers: 2 },
  { family: 'uwsgi', command: [...UWSGI, '--master', '--workers', '2'], workers: 2 },
  { family: 'uwsgi', command: UWSGI, env: { UWSGI_PROCESSES: '3' }, workers: 3 },
  { family: 'uwsgi', command: [...UWSGI, '--master'], workers: 1 },
  { family: 'uwsgi', command: [...UWSGI, '--master', '--processes', '%k'], workers: 0 },

  // celery 5.2.6: prefork pool of -c/--concurrency processes, default one per CPU; solo and threads
  // pools run in the main process. The app uses the in-memory transport, so no broker is needed.
  { family: 'celery', command: ['celery', '-A', 'tasks', 'worker', '-c', '3'], workers: 3 },
  { family: 'celery', command: ['celery', '-A', 'tasks', 'worker', '--pool', 'solo'], workers: 1 },
  {
    family: 'celery',
    command: ['celery', '-A', 'tasks', 'worker', '--pool=threads', '--concurrency=4'],
    workers: 1,
  },
  { family: 'celery', command: ['celery', '-A', 'tasks', 'worker'], workers: 'cpus' },
  // -P/--pool is a click.Choice (celery/bin/worker.py WorkersPool): glued and `=` spellings, the env
  // (auto_envvar_prefix CELERY), and values click refuses, which stop the worker.
  { family: 'celery', command: ['celery', '-A', 'tasks', 'worker', '-Psolo', '-c', '4'], workers: 1 },
  {
    family: 'celery',
    command: ['celery', '-A', 'tasks', 'worker', '-c', '4'],
    env: { CELERY_WORKER_POOL: 'threads' },
    workers: 1,
  },
  {
    family: 'celery',
    command: ['celery', '-A', 'tasks', 'worker'],
    env: { CELERY_WORKER_CONCURRENCY: '2' },
    workers: 2,
  },
  { family: 'celery', command: ['celery', '-A', 'tasks', 'worker', '--concurrency=0'], workers: 'cpus' },
  { family: 'celery', command: ['celery', '-A', 'tasks', 'worker', '-P=solo'], workers: 0, refuses: true },
  {
    family: 'celery',
    command: ['celery', '-A', 'tasks', 'worker', '--pool', 'fork', '-c', '1'],
    workers: 0,
    refuses: true,
  },
  {
    family: 'celery',
    command: ['celery', '-A', 'tasks', 'worker', '-P', '$(POOL)'],
    workers: 0,
    refuses: true,
  },

  // puma 5.6.5: single mode unless -w/--workers or WEB_CONCURRENCY; -w 1 is one cluster worker.
  { family: 'puma', command: ['puma', 'config.ru'], workers: 1 },
  { family: 'puma', command: ['puma', '-w', '2', 'config.ru'], workers: 2 },
  { family: 'puma', command: ['puma', 'config.ru'], env: { WEB_CONCURRENCY: '3' }, workers: 3 },

  // unicorn 6.0.0: worker_processes in the config file only (default 1).
  { family: 'unicorn', command: ['unicorn', 'config.ru'], workers: 1 },
  {
    family: 'unicorn',
    command: ['unicorn', '-c', 'unicorn.rb', 'config.ru'],
    files: { 'unicorn.rb': 'worker_processes 3\n' },
    workers: 3,
    engine: 'hidden',
  },

  // Single-process servers: threads are not processes.
  {
    family: 'waitress',
    command: ['waitress-serve', '--threads=8', '--listen=127.0.0.1:8000', 'wsgi:app'],
    workers: 1,
  },
  { family: 'daphne', command: ['daphne', 'asgi:app'], workers: 1 },
  { family: 'rq', command: ['rq', 'worker'], workers: 1 },

  // thin 1.8.1: one server in the foreground; cluster mode (-s/--servers, -o) and -d daemonize, so the
  // thin process exits after starting its servers in the background.
  { family: 'thin', command: ['thin', 'start', '-R', 'config.ru'], workers: 1 },
  { family: 'thin', command: ['thin', 'start', '-R', 'config.ru', '--threaded'], workers: 1 },
  { family: 'thin', command: ['thin', 'start', '-R', 'config.ru', '-s', '3'], workers: 0, daemonizes: 3 },
  { family: 'thin', command: ['thin', '--servers=2', 'start', '-R', 'config.ru'], workers: 0, daemonizes: 2 },
  { family: 'thin', command: ['thin', 'start', '-R', 'config.ru', '-s', '1'], workers: 0, daemonizes: 1 },
  { family: 'thin', command: ['thin', 'start', '-d', '-R', 'config.ru'], workers: 0, daemonizes: 1 },
];

/** A readable name for a row: its env, then its command line as a shell would show it. */
export function rowName(row: Row): string {
  const quote = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  const env = Object.entries(row.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
  const argv = [...row.command, ...(row.args ?? [])].map(quote);
  return [...env, ...argv].join(' ');
}
