/**
 * Celery workers (celery/celery 5.6.3 @ 5dc781f; Debian 5.2.6 read and run on this machine).
 *
 * - `celery/bin/celery.py`: `celery(auto_envvar_prefix="CELERY")`, so a worker option also comes from
 *   `CELERY_WORKER_<OPTION>` (`CELERY_WORKER_CONCURRENCY`, `CELERY_WORKER_POOL`,
 *   `CELERY_WORKER_AUTOSCALE`); the command line wins over the environment. Global options (`-A`,
 *   `-b`, `--config`, …) come before the subcommand.
 * - `celery/bin/worker.py`: `-c/--concurrency` (click `type=int`: Python's int(); default
 *   `app.conf.worker_concurrency`, 0), `-P/--pool` (default `prefork`), `--autoscale=MAX,MIN` (each
 *   part Python's int(), the larger one the maximum).
 * - `celery/worker/worker.py`: `if not self.concurrency: self.concurrency = cpu_count()` — no count,
 *   or 0, means one pool process per CPU.
 * - `celery/concurrency/__init__.py ALIASES`: `prefork` and `processes` fork child processes; `solo`
 *   runs tasks in the main process, `threads` in threads, `gevent`/`eventlet` in greenlets: one
 *   process whatever `-c` says.
 * - `celery/worker/components.py`: `--autoscale` starts `MIN` processes and grows to `MAX`.
 * - Airflow (apache/airflow 2.x `cli/cli_config.py`, celery provider `celery_command.py`):
 *   `airflow celery worker` runs a celery worker with `-c/--concurrency` (default `[celery]
 *   worker_concurrency`, 16; env AIRFLOW__CELERY__WORKER_CONCURRENCY), `-a/--autoscale MAX,MIN` and
 *   the pool from `[celery] pool` (AIRFLOW__CELERY__POOL, default prefork).
 * Decisions (category `queue`): prefork with no count → `multiple`, one per CPU (the app's config may
 * set `worker_concurrency`, but the default is what runs unless it does); `beat`, `flower`,
 * `inspect`, `call`, … are not workers.
 */

import { type Count, decideCount, readCount } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { firstPositional, lastOption } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { EnvEntry, SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

const GLOBAL_TAKES_VALUE = [
  '-A',
  '--app',
  '-b',
  '--broker',
  '--result-backend',
  '--loader',
  '--config',
  '--workdir',
];
const SINGLE_PROCESS_POOLS = new Set(['solo', 'threads', 'gevent', 'eventlet']);

/**
 * Where a worker's settings come from: celery's own CLI, or Airflow's `airflow celery worker`, which
 * passes `--concurrency` (default `[celery] worker_concurrency`, 16) and `--pool` (`[celery] pool`)
 * to celery itself, so celery's CELERY_WORKER_* variables do not apply there.
 */
interface Dialect {
  readonly pool: { readonly names: readonly string[]; readonly env: string };
  readonly autoscale: { readonly names: readonly string[]; readonly env: string };
  readonly concurrency: { readonly names: readonly string[]; readonly env: string };
  /** The count when none is given. */
  readonly byDefault: (evidence: string, path: string) => Decision;
}

const CELERY: Dialect = {
  pool: { names: ['-P', '--pool'], env: 'CELERY_WORKER_POOL' },
  autoscale: { names: ['--autoscale'], env: 'CELERY_WORKER_AUTOSCALE' },
  concurrency: { names: ['-c', '--concurrency'], env: 'CELERY_WORKER_CONCURRENCY' },
  byDefault: (evidence, path) => ({
    outcome: 'multiple',
    workers: null,
    evidence,
    path,
    // The app's own configuration (`worker_concurrency`; CELERY_WORKER_CONCURRENCY in the Django
    // settings an app reads with `config_from_object(…, namespace="CELERY")`) is not read here.
    why: "celery's prefork pool starts one process per CPU by default, unless the app's configuration sets `worker_concurrency` (in Django settings, CELERY_WORKER_CONCURRENCY), which oneproc does not read",
  }),
};

/** Airflow's default `[celery] worker_concurrency` (apache/airflow `config_templates/config.yml`). */
export const AIRFLOW_DEFAULT_CONCURRENCY = 16;

const AIRFLOW: Dialect = {
  pool: { names: [], env: 'AIRFLOW__CELERY__POOL' },
  autoscale: { names: ['-a', '--autoscale'], env: 'AIRFLOW__CELERY__WORKER_AUTOSCALE' },
  concurrency: { names: ['-c', '--concurrency'], env: 'AIRFLOW__CELERY__WORKER_CONCURRENCY' },
  byDefault: (evidence, path) => ({
    outcome: 'multiple',
    workers: AIRFLOW_DEFAULT_CONCURRENCY,
    evidence,
    path,
    why: `Airflow's default \`[celery] worker_concurrency\` is ${AIRFLOW_DEFAULT_CONCURRENCY} (airflow.cfg may change it)`,
  }),
};

interface Worker {
  readonly argv: readonly Word[];
  /** The `worker` word. */
  readonly sub: Word;
  /** Index where the worker's own options start. */
  readonly from: number;
  readonly dialect: Dialect;
}

/** `celery … SUBCOMMAND` (any subcommand), or `airflow celery worker` / Airflow 1's `airflow worker`. */
function locate(cmd: SimpleCommand): { argv: readonly Word[]; airflow?: Worker } | undefined {
  const inner = stripLaunchers(cmd);
  const name = programName(inner);
  if (name === 'celery') return { argv: inner.argv };
  if (name !== 'airflow') return undefined;
  const a = inner.argv;
  if (a[1]?.text === 'celery' && a[2]?.text === 'worker') {
    return { argv: a, airflow: { argv: a, sub: a[2], from: 3, dialect: AIRFLOW } };
  }
  if (a[1]?.text === 'worker') return { argv: a, airflow: { argv: a, sub: a[1], from: 2, dialect: AIRFLOW } };
  return undefined;
}

/** A value from the command line (last occurrence) or from the CELERY_WORKER_* variable. */
interface Setting {
  readonly value: Pick<Word, 'text' | 'unknown'>;
  readonly written: string;
  readonly path: string;
}

function setting(
  argv: readonly Word[],
  from: number,
  names: readonly string[],
  entry: EnvEntry | undefined,
): Setting | undefined {
  const hit = lastOption(argv, names, { from });
  if (hit?.value) return { value: hit.value, written: hit.written, path: hit.path };
  if (entry) {
    return {
      value: {
        text: entry.value ?? '',
        unknown: entry.value === undefined ? (entry.unknown ?? 'unknown') : undefined,
      },
      written: `${entry.name}=${entry.value ?? '…'}`,
      path: entry.path,
    };
  }
  return undefined;
}

/**
 * The largest pool `--autoscale` allows, as celery/bin/worker.py `Autoscale.convert` reads it: one or
 * two comma-separated parts, each Python's `int()`, sorted, so `3,10` and `10,3` both grow to 10;
 * more parts or a part `int()` refuses stop the worker (click's "Expected … integers").
 */
function autoscaleMax(text: string): Count {
  const parts = text.split(',');
  if (parts.length > 2) {
    return {
      kind: 'text',
      text,
      refused: `celery expects one or two comma-separated integers, not ${parts.length}`,
    };
  }
  let max = 0;
  for (const part of parts) {
    const count = readCount({ text: part }, PYTHON_INT);
    if (count.kind !== 'number') return count;
    max = Math.max(max, count.n);
  }
  return { kind: 'number', n: max };
}

/** The pool size of a prefork worker: `--autoscale` MAX, else `--concurrency`, else the default. */
function decidePoolSize(worker: Worker, cmd: SimpleCommand): Decision {
  const { argv, from, dialect } = worker;
  const autoscale = setting(argv, from, dialect.autoscale.names, cmd.env.get(dialect.autoscale.env));
  if (autoscale) {
    if (autoscale.value.unknown) {
      return {
        outcome: 'unknown',
        evidence: autoscale.written,
        path: autoscale.path,
        why: autoscale.value.unknown,
      };
    }
    const decision = decideCount(autoscaleMax(autoscale.value.text), autoscale.written, autoscale.path);
    if (decision.outcome === 'multiple') {
      return {
        ...decision,
        why: `the autoscaler grows the pool up to ${decision.workers ?? 'several'} processes`,
      };
    }
    return decision;
  }
  const concurrency = setting(argv, from, dialect.concurrency.names, cmd.env.get(dialect.concurrency.env));
  if (concurrency) {
    // celery/bin/worker.py: `-c/--concurrency` is click `type=int` (CELERY_WORKER_CONCURRENCY too).
    const count = readCount(concurrency.value, PYTHON_INT);
    if (count.kind === 'number' && count.n === 0) {
      return {
        outcome: 'multiple',
        workers: null,
        evidence: concurrency.written,
        path: concurrency.path,
        why: 'a concurrency of 0 means one pool process per CPU',
      };
    }
    return decideCount(count, concurrency.written, concurrency.path);
  }
  const evidence = argv
    .slice(0, from)
    .map((w) => w.text)
    .join(' ');
  return dialect.byDefault(evidence, worker.sub.path);
}

/**
 * The pools `-P/--pool` accepts: celery/bin/worker.py `WorkersPool` is a `click.Choice` (case-sensitive,
 * exact) of celery/concurrency/__init__.py `ALIASES` — prefork, eventlet, gevent, solo, processes,
 * threads; `custom` too from celery 5.3 (the class named by CELERY_CUSTOM_WORKER_POOL). Any other
 * value, `-P=solo` included (click keeps the `=` of a short option: the value is `=solo`), makes
 * click print "Invalid value for '-P' / '--pool'" and the worker exit (observed with Debian's 5.2.6).
 */
const POOL_CHOICES = ['prefork', 'eventlet', 'gevent', 'solo', 'processes', 'threads'];

/** A worker's decision: a pool celery refuses, then a single-process pool, then the pool size. */
function decideWorker(worker: Worker, cmd: SimpleCommand): Decision {
  const { argv, from, dialect } = worker;
  const pool = setting(argv, from, dialect.pool.names, cmd.env.get(dialect.pool.env));
  const poolName = pool && !pool.value.unknown ? pool.value.text : undefined;
  if (pool && poolName !== undefined && poolName === 'custom') {
    return {
      outcome: 'unknown',
      evidence: pool.written,
      path: pool.path,
      why: 'from celery 5.3 the `custom` pool is the class CELERY_CUSTOM_WORKER_POOL names, which may or may not fork processes (earlier versions refuse `custom` and the worker exits)',
    };
  }
  if (pool && poolName !== undefined && !POOL_CHOICES.includes(poolName)) {
    const reference = /\$\(?\{?[A-Za-z_][A-Za-z0-9_]*/.test(poolName)
      ? ' (the reference reaches celery as written, not expanded)'
      : '';
    return {
      outcome: 'refused',
      evidence: pool.written,
      path: pool.path,
      why: `celery's pool option is a click.Choice of ${POOL_CHOICES.join(', ')}: click refuses "${poolName}"${reference}`,
    };
  }
  if (pool && poolName !== undefined && SINGLE_PROCESS_POOLS.has(poolName)) {
    return { outcome: 'single', evidence: pool.written, path: pool.path };
  }
  const decision = decidePoolSize(worker, cmd);
  if (decision.outcome !== 'multiple' || !pool) return decision;
  // A count above 1 matters only for a pool of processes: say so when the pool is not known.
  if (pool.value.unknown) {
    return { outcome: 'unknown', evidence: pool.written, path: pool.path, why: pool.value.unknown };
  }
  return decision;
}

export const celery: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => locate(cmd) !== undefined,
  decide: (cmd): Decision => {
    const found = locate(cmd);
    if (!found) return { outcome: 'single' };
    if (found.airflow) return decideWorker(found.airflow, cmd);
    const { argv } = found;
    const sub = firstPositional(argv, 1, GLOBAL_TAKES_VALUE);
    if (!sub) return { outcome: 'single' };
    if (sub.word.text === 'multi') {
      return {
        outcome: 'unknown',
        evidence: argv.map((w) => w.text).join(' '),
        path: sub.word.path,
        why: '`celery multi` starts several worker nodes in the background, each with its own pool',
      };
    }
    if (sub.word.text !== 'worker') {
      return { outcome: 'single', evidence: `celery ${sub.word.text}`, path: sub.word.path };
    }
    return decideWorker({ argv, sub: sub.word, from: sub.index + 1, dialect: CELERY }, cmd);
  },
  fix: (decision) => {
    if (decision.outcome === 'single') return '';
    if (
      /^(-a|--autoscale|CELERY_WORKER_AUTOSCALE|AIRFLOW__CELERY__WORKER_AUTOSCALE)\b/.test(decision.evidence)
    ) {
      return 'drop `--autoscale` and use `--concurrency 1` (or `--pool solo`)';
    }
    if (decision.outcome === 'unknown' && decision.why.includes('celery multi'))
      return 'run one `celery worker --concurrency 1` per container';
    return 'use `--concurrency 1` or `--pool solo` (for Airflow, AIRFLOW__CELERY__POOL=solo)';
  },
};
