/**
 * The judge: scripts run under Debian's real `dash` and `bash`, with `PATH` holding stub servers and
 * only the real tools scripts use (`env`, `nproc`, `getconf`, `python3` and the shells, never stubbed:
 * CPU-derived values are compared by their lower bound, not faked).
 *
 * Each stub is a `#!/bin/sh` script named after a server (gunicorn, uvicorn, celery, …) that appends
 * one record to a log and exits 0: its name, its argv, and the value of every variable in `WATCHED`
 * that is in its environment. Records are NUL-separated (a shell word and an environment value can hold
 * any byte but NUL), so nothing needs escaping. The log's order is the order the servers ran; a script
 * that `exec`s a server ends there, so nothing after it appears.
 *
 * Cases run in batches: one `dash` driver per batch starts every case in a subshell with only the
 * case's variables, PATH (the stubs) and the log's name in its environment, its CPU time bounded by
 * `ulimit -t`; a batch past its wall-clock bound is killed with its whole process group. Up to `PARALLEL`
 * drivers run at once. The temp folders are made once and reused.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The server programs stubbed on PATH (the names the rules recognise). */
export const SERVERS = [
  'gunicorn',
  'uvicorn',
  'hypercorn',
  'granian',
  'daphne',
  'uwsgi',
  'celery',
  'puma',
  'unicorn',
  'sidekiq',
  'rq',
  'rqworker',
  'dramatiq',
  'pm2',
  'pm2-runtime',
  'supervisord',
  'waitress-serve',
] as const;

/**
 * The environment variables each stub reports: the servers' own (gunicorn's `WEB_CONCURRENCY` and
 * `GUNICORN_CMD_ARGS`, uvicorn's `UVICORN_*`, Celery's `CELERY_*`, Puma's `PUMA_*`/`WEB_CONCURRENCY`,
 * uWSGI's `UWSGI_*`, …) and every variable the fixtures and generated scripts use.
 */
export const WATCHED = [
  'WEB_CONCURRENCY',
  'GUNICORN_CMD_ARGS',
  'GUNICORN_WORKERS',
  'UVICORN_WORKERS',
  'UVICORN_PORT',
  'HYPERCORN_WORKERS',
  'GRANIAN_WORKERS',
  'WORKERS',
  'NUM_WORKERS',
  'MAX_WORKERS',
  'CELERY_CONCURRENCY',
  'CELERYD_CONCURRENCY',
  'CELERY_WORKER_CONCURRENCY',
  'CELERY_POOL',
  'WORKER_POOL',
  'PUMA_WORKERS',
  'PUMA_THREADS',
  'RAILS_MAX_THREADS',
  'UWSGI_PROCESSES',
  'UWSGI_WORKERS',
  'UWSGI_CHEAPER',
  'SIDEKIQ_CONCURRENCY',
  'PM2_INSTANCES',
  'INSTANCES',
  'MODE',
  'ROLE',
  'APP',
  'PORT',
  'OPTS',
  'N',
  'M',
  'CMD',
  'V1',
  'V2',
  'V3',
] as const;

export type Shell = 'dash' | 'bash';

/** How a case is started: `SHELL -c SCRIPT ARG0 ARGS…`, or the script file run by its shebang. */
export type Mode = 'dash-c' | 'bash-c' | 'file';

export interface RealCase {
  /** The script text (for `file`, with its shebang). */
  readonly script: string;
  /** Other files next to it (`env.sh`), by name. */
  readonly files?: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly env: readonly (readonly [string, string])[];
  readonly mode: Mode;
}

/** One server started: the stub's name, its arguments, and the watched variables it received. */
export interface ServerRun {
  readonly program: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface RealResult {
  readonly runs: readonly ServerRun[];
  /** The exit status, or `timeout`. */
  readonly status: number | 'timeout';
  readonly stderr: string;
}

const PER_CASE_SECONDS = 2;
/** A batch that has not ended by then is killed, with its process group; its unfinished cases time out. */
const BATCH_SECONDS = 120;
export const PARALLEL = 4;
/** Programs the scripts may use besides the stubs: real ones, linked, never stubbed. */
const REAL_TOOLS = ['env', 'nproc', 'python3', 'bash', 'sh', 'dash', 'getconf'];

/** Fails with how to install it when a shell the judge needs is missing. */
export function requireShells(): void {
  for (const [file, pkg] of [
    ['/usr/bin/dash', 'dash'],
    ['/usr/bin/bash', 'bash'],
    ['/usr/bin/env', 'coreutils'],
  ]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: the differential shell test needs it (apt-get install -y ${pkg})`);
  }
}

function stubText(name: string): string {
  // The record is built in "$@" and written by one printf, so one write(2) in append mode: records of
  // servers that run at the same time do not interleave.
  const lines = [
    '#!/bin/sh',
    `set -- C ${name} "$#" "$@"`,
    ...WATCHED.map((v) => `[ -n "\${${v}+x}" ] && set -- "$@" E ${v} "$${v}"`),
    `printf '%s\\0' "$@" Z >>"$ONEPROC_DIFF_LOG"`,
    'exit 0',
    '',
  ];
  return lines.join('\n');
}

/** A shell word that is `text` exactly. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export function parseLog(log: string): ServerRun[] {
  const t = log.split('\0');
  const runs: ServerRun[] = [];
  let i = 0;
  while (i < t.length && t[i] === 'C') {
    const program = t[i + 1] ?? '';
    const argc = Number(t[i + 2]);
    const args = t.slice(i + 3, i + 3 + argc);
    i += 3 + argc;
    const env: Record<string, string> = {};
    while (t[i] === 'E') {
      env[t[i + 1] ?? ''] = t[i + 2] ?? '';
      i += 3;
    }
    if (t[i] !== 'Z')
      throw new Error(`stub log is malformed at record ${runs.length}: ${JSON.stringify(log)}`);
    i++;
    runs.push({ program, args, env });
  }
  if (i < t.length - 1 || (t[i] ?? '') !== '')
    throw new Error(`stub log has trailing data: ${JSON.stringify(log)}`);
  return runs;
}

/** A pool of temp folders with the stubs installed; `close()` removes them. */
export class RealShells {
  readonly root = mkdtempSync(join(tmpdir(), 'oneproc-diff-'));
  readonly bin = join(this.root, 'bin');

  constructor() {
    requireShells();
    mkdirSync(this.bin);
    for (const name of SERVERS) {
      const file = join(this.bin, name);
      writeFileSync(file, stubText(name));
      chmodSync(file, 0o755);
    }
    for (const tool of REAL_TOOLS) {
      const real = `/usr/bin/${tool}`;
      if (existsSync(real)) symlinkSync(real, join(this.bin, tool));
    }
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Runs every case, `PARALLEL` batches at a time, and returns the results in order. */
  async runAll(cases: readonly RealCase[], batchSize = 50): Promise<RealResult[]> {
    const results: RealResult[] = new Array(cases.length);
    let next = 0;
    const worker = async (slot: number) => {
      while (next < cases.length) {
        const from = next;
        next = Math.min(cases.length, next + batchSize);
        const got = await this.runBatch(cases.slice(from, next), slot);
        got.forEach((r, k) => {
          results[from + k] = r;
        });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, (_, s) => worker(s)));
    return results;
  }

  /** Runs one batch in folder `slot` (one batch per slot at a time). */
  async runBatch(cases: readonly RealCase[], slot: number): Promise<RealResult[]> {
    const dir = join(this.root, `slot${slot}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const driver: string[] = ['#!/bin/sh'];
    cases.forEach((c, i) => {
      const cdir = join(dir, `c${i}`);
      mkdirSync(cdir);
      writeFileSync(join(cdir, 'start.sh'), c.script);
      chmodSync(join(cdir, 'start.sh'), 0o755);
      for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(cdir, name), text);
      writeFileSync(join(cdir, 'log'), '');
      // The driver's own environment is only PATH (set below), so a case sees the variables given here,
      // PATH (the stubs) and what the shell itself exports (PWD, OLDPWD), none of them watched.
      const env = [
        `PATH=${quote(this.bin)}`,
        `ONEPROC_DIFF_LOG=${quote(join(cdir, 'log'))}`,
        ...c.env.map(([k, v]) => `${k}=${quote(v)}`),
      ].join(' ');
      const args = c.args.map(quote).join(' ');
      const run =
        c.mode === 'file'
          ? './start.sh'
          : c.mode === 'dash-c'
            ? `/usr/bin/dash -c ${quote(c.script)} sh`
            : `/usr/bin/bash -c ${quote(c.script)} bash`;
      // `ulimit -t` bounds each case's CPU time without a process of its own; the batch's wall clock is
      // bounded below, where the whole process group is killed.
      driver.push(
        `cd ${quote(cdir)} && { (ulimit -t ${PER_CASE_SECONDS}; ${env} exec ${run} ${args}) </dev/null >/dev/null 2>err; echo $? >rc; }`,
      );
    });
    writeFileSync(join(dir, 'driver.sh'), `${driver.join('\n')}\n`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('/usr/bin/dash', [join(dir, 'driver.sh')], {
        stdio: 'ignore',
        detached: true,
        env: { PATH: '/usr/bin:/bin' },
      });
      const killer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, BATCH_SECONDS * 1000);
      child.on('error', reject);
      child.on('exit', () => {
        clearTimeout(killer);
        resolve();
      });
    });
    return cases.map((_, i) => {
      const cdir = join(dir, `c${i}`);
      const rcText = existsSync(join(cdir, 'rc')) ? readFileSync(join(cdir, 'rc'), 'utf8').trim() : '';
      // No status: the batch was killed before the case ended. 137 and 152: killed, or out of CPU time.
      const rc = rcText === '' ? 137 : Number(rcText);
      return {
        runs: parseLog(readFileSync(join(cdir, 'log'), 'utf8')),
        status: rc === 137 || rc === 152 ? 'timeout' : rc,
        stderr: readFileSync(join(cdir, 'err'), 'utf8').slice(0, 2000),
      };
    });
  }
}
