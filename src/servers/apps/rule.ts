/**
 * Applications whose own command starts a multi-process server unless told otherwise: the count is
 * not on the command line at all, it is the application's default. A table, one entry per command,
 * each read from the application's source (repository, file and default cited in the entry):
 *
 * - `mlflow server` (mlflow/mlflow): `mlflow/utils/cli_args.py WORKERS` is `-w/--workers`
 *   (click, `envvar="MLFLOW_WORKERS"`, default None); `mlflow/server/__init__.py _run_server` starts
 *   uvicorn (or gunicorn with `--gunicorn-opts`/MLFLOW_GUNICORN_OPTS) with `workers or 4`, the count
 *   placed after the server options, so a `--workers` inside `--uvicorn-opts`/`--gunicorn-opts` loses.
 *   `--waitress-opts` runs waitress (one process); `mlflow/cli.py server --dev` runs uvicorn with
 *   `--reload` (one server process), as does `--reload` in the uvicorn options.
 * - `airflow webserver` (apache/airflow 2.x): `airflow/cli/cli_config.py ARG_WORKERS` is `-w/--workers`
 *   (argparse, default `conf.get("webserver", "WORKERS")`); `airflow/config_templates/config.yml`
 *   `[webserver] workers` defaults to "4" (AIRFLOW__WEBSERVER__WORKERS overrides it);
 *   `airflow/cli/commands/webserver_command.py` runs gunicorn with `args.workers or conf…` workers (so
 *   `-w 0` is the configured count), and `-d/--debug` runs Flask's single-process server instead.
 * - `airflow api-server` (apache/airflow 3.x): `airflow-core/src/airflow/cli/cli_config.py
 *   ARG_API_SERVER_WORKERS` is `-w/--workers` (default `conf.get("api", "workers")`, env
 *   AIRFLOW__API__WORKERS); `[api] workers` was 4 in Airflow 3.0 and is 1 from 3.1 (apache/airflow
 *   pull request #55707, "Reduce default API server workers to 1"), so without `-w` the count depends
 *   on the image's Airflow version: a warning.
 * - `torchserve --start` (pytorch/serve): `frontend/server/src/main/java/org/pytorch/serve/util/
 *   ConfigManager.java getDefaultWorkers` starts `default_workers_per_model` backend worker processes
 *   per model, else the number of GPUs, else the number of CPUs (`availableProcessors()`); the
 *   setting lives in config.properties (`--ts-config`, TS_CONFIG_FILE or ./config.properties), which a
 *   command line does not show: a warning (a per-CPU default, as `$(nproc)` alone is).
 *
 * Each entry is judged like any server: the flag (last wins), then the variable, then the default; an
 * explicit count of 1 is fine, a default above 1 is an error with that count. Every count here is
 * read by Python's int() (click's INT, argparse's `type=int`, airflow's `conf.getint`).
 */

import { countFix, decideCount, decideEnv, envEvidence, readCount } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { findOption, firstPositional, hasFlag, lastHit } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

/** One application command that starts several worker processes by default. */
export interface AppEntry {
  /** How users name it, e.g. `mlflow server`. */
  readonly command: string;
  /** argv[0] basenames (after launchers such as `python -m`). */
  readonly programs: readonly string[];
  /** The subcommand that serves (`server`), or a flag that must be present (`--start`). */
  readonly subcommand?: string;
  readonly requiredFlag?: string;
  /** The options that set the count, e.g. `-w`, `--workers`. */
  readonly options: readonly string[];
  /** Options of the command that take a value, so their values are not read as counts. */
  readonly takesValue: readonly string[];
  /** The variable that sets the count when the option is absent (an empty value is ignored). */
  readonly env?: string;
  /** `-w 0` falls back to the configured default (`args.workers or conf…`). */
  readonly zeroMeansDefault?: boolean;
  /** The count without the option or the variable, or why it cannot be known from the command. */
  readonly defaultCount: number | { readonly unknown: string };
  /** Words that make it run one process whatever the count (`--dev`), with the reason. */
  readonly single?: (cmd: SimpleCommand, from: number) => { evidence: string; path: string } | undefined;
  /** Where the default is written, for messages and docs. */
  readonly source: string;
  /** How to ask for one worker. */
  readonly oneWorker: string;
}

const MLFLOW_VALUES = [
  '--backend-store-uri',
  '--registry-store-uri',
  '--default-artifact-root',
  '--artifacts-destination',
  '-h',
  '--host',
  '-p',
  '--port',
  '--static-prefix',
  '--gunicorn-opts',
  '--waitress-opts',
  '--uvicorn-opts',
  '--expose-prometheus',
  '--app-name',
  '--allowed-hosts',
  '--cors-allowed-origins',
  '--x-frame-options',
];

const AIRFLOW_WEBSERVER_VALUES = [
  '-p',
  '--port',
  '-k',
  '--workerclass',
  '-t',
  '--worker-timeout',
  '-H',
  '--hostname',
  '--pid',
  '--stdout',
  '--stderr',
  '-l',
  '--log-file',
  '-A',
  '--access-logfile',
  '-E',
  '--error-logfile',
  '-L',
  '--access-logformat',
  '--ssl-cert',
  '--ssl-key',
];

const AIRFLOW_API_VALUES = [
  '-p',
  '--port',
  '-t',
  '--worker-timeout',
  '-H',
  '--host',
  '--log-config',
  '--ssl-cert',
  '--ssl-key',
  '--pid',
  '--stdout',
  '--stderr',
  '-l',
  '--log-file',
  '--apps',
];

/** The value of a value-taking option (last wins), or of a variable when the option is absent. */
function optionOrEnv(
  cmd: SimpleCommand,
  from: number,
  names: string[],
  env: string,
  values: readonly string[],
) {
  const hit = lastHit(findOption(cmd.argv, names, { from, takesValue: values }));
  if (hit?.value) return { text: hit.value.text, evidence: hit.written, path: hit.path };
  const entry = cmd.env.get(env);
  if (entry?.value) return { text: entry.value, evidence: envEvidence(entry), path: entry.path };
  return undefined;
}

export const APPS: readonly AppEntry[] = [
  {
    command: 'mlflow server',
    programs: ['mlflow'],
    subcommand: 'server',
    options: ['-w', '--workers'],
    takesValue: MLFLOW_VALUES,
    env: 'MLFLOW_WORKERS',
    defaultCount: 4,
    single: (cmd, from) => {
      const dev = hasFlag(cmd.argv, ['--dev'], from);
      if (dev) return { evidence: '--dev', path: dev.path };
      const waitress = lastHit(
        findOption(cmd.argv, ['--waitress-opts'], { from, takesValue: MLFLOW_VALUES }),
      );
      if (waitress) return { evidence: waitress.written, path: waitress.path };
      const gunicorn =
        lastHit(findOption(cmd.argv, ['--gunicorn-opts'], { from, takesValue: MLFLOW_VALUES })) ??
        cmd.env.get('MLFLOW_GUNICORN_OPTS')?.value;
      if (gunicorn) return undefined;
      const uvicorn = optionOrEnv(cmd, from, ['--uvicorn-opts'], 'MLFLOW_UVICORN_OPTS', MLFLOW_VALUES);
      if (uvicorn && /(^|\s)--reload(\s|$)/.test(uvicorn.text)) return uvicorn;
      return undefined;
    },
    source: 'mlflow/server/__init__.py `_run_server`: `workers or 4`',
    oneWorker: '--workers 1',
  },
  {
    command: 'airflow webserver',
    programs: ['airflow'],
    subcommand: 'webserver',
    options: ['-w', '--workers'],
    takesValue: AIRFLOW_WEBSERVER_VALUES,
    env: 'AIRFLOW__WEBSERVER__WORKERS',
    zeroMeansDefault: true,
    defaultCount: 4,
    single: (cmd, from) => {
      const debug = hasFlag(cmd.argv, ['-d', '--debug'], from);
      return debug ? { evidence: debug.text, path: debug.path } : undefined;
    },
    source:
      'airflow/config_templates/config.yml `[webserver] workers` default "4" (unless airflow.cfg sets it)',
    oneWorker: '--workers 1',
  },
  {
    command: 'airflow api-server',
    programs: ['airflow'],
    subcommand: 'api-server',
    options: ['-w', '--workers'],
    takesValue: AIRFLOW_API_VALUES,
    env: 'AIRFLOW__API__WORKERS',
    defaultCount: {
      unknown:
        'airflow api-server starts `[api] workers` uvicorn workers: 4 in Airflow 3.0, 1 from 3.1 (apache/airflow#55707)',
    },
    source: 'airflow-core config.yml `[api] workers`: 4 in 3.0, 1 from 3.1',
    oneWorker: '--workers 1',
  },
  {
    command: 'torchserve --start',
    programs: ['torchserve'],
    requiredFlag: '--start',
    options: [],
    takesValue: [
      '--ts-config',
      '--model-store',
      '--models',
      '--log-config',
      '--workflow-store',
      '--plugins-path',
    ],
    defaultCount: {
      unknown:
        'TorchServe starts `default_workers_per_model` backend worker processes per model, which defaults to the number of GPUs, else of CPUs; config.properties may set it',
    },
    source:
      'pytorch/serve ConfigManager.java `getDefaultWorkers`: default_workers_per_model, else GPUs, else CPUs',
    oneWorker: 'default_workers_per_model=1',
  },
];

/** The entry and the argv index where its options start, for a command (undefined: not an app). */
function match(
  cmd: SimpleCommand,
): { entry: AppEntry; cmd: SimpleCommand; from: number; at: Word } | undefined {
  const inner = stripLaunchers(cmd);
  const name = programName(inner);
  for (const entry of APPS) {
    if (!entry.programs.includes(name)) continue;
    if (entry.subcommand) {
      const sub = firstPositional(inner.argv, 1, entry.takesValue);
      if (sub?.word.text === entry.subcommand)
        return { entry, cmd: inner, from: sub.index + 1, at: sub.word };
    } else if (entry.requiredFlag) {
      const flag = hasFlag(inner.argv, [entry.requiredFlag]);
      if (flag) return { entry, cmd: inner, from: 1, at: flag };
    }
  }
  return undefined;
}

function decide(found: NonNullable<ReturnType<typeof match>>): Decision {
  const { entry, cmd, from, at } = found;
  const single = entry.single?.(cmd, from);
  if (single) return { outcome: 'single', evidence: single.evidence, path: single.path };
  const byDefault = (): Decision => {
    if (typeof entry.defaultCount !== 'number') {
      return { outcome: 'unknown', evidence: entry.command, path: at.path, why: entry.defaultCount.unknown };
    }
    if (entry.defaultCount <= 1) return { outcome: 'single' };
    return {
      outcome: 'multiple',
      workers: entry.defaultCount,
      evidence: entry.command,
      path: at.path,
      why: `${entry.command} starts ${entry.defaultCount} unless told otherwise: ${entry.source}`,
    };
  };
  // Findings name the application, whose title is generic.
  const named = (d: Decision): Decision =>
    d.outcome === 'multiple' && !d.why ? { ...d, why: entry.command } : d;
  const zero = (text: string) => {
    const read = PYTHON_INT.read(text);
    return entry.zeroMeansDefault === true && 'n' in read && read.n === 0;
  };
  if (entry.options.length > 0) {
    const hit = lastHit(
      findOption(cmd.argv, entry.options, { from, shortGlue: 'glued', takesValue: entry.takesValue }),
    );
    if (hit) {
      if (!hit.value) return { outcome: 'single', evidence: hit.written, path: hit.path };
      if (!zero(hit.value.text))
        return named(decideCount(readCount(hit.value, PYTHON_INT), hit.written, hit.path));
    }
  }
  const variable = entry.env ? cmd.env.get(entry.env) : undefined;
  if (variable && !(variable.value !== undefined && !variable.unknown && variable.value.trim() === '')) {
    if (variable.value === undefined || variable.unknown || !zero(variable.value))
      return named(decideEnv(variable, PYTHON_INT));
  }
  return byDefault();
}

export const apps: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => match(cmd) !== undefined,
  decide: (cmd) => {
    const found = match(cmd);
    return found ? decide(found) : { outcome: 'single' };
  },
  fix: (decision) => {
    if (decision.outcome === 'single') return '';
    const entry = APPS.find((e) => e.command === decision.evidence);
    if (entry?.oneWorker.includes('=')) return `set \`${entry.oneWorker}\` in config.properties`;
    if (entry && decision.outcome === 'multiple') {
      return `pass \`${entry.oneWorker}\` (${entry.command} does not default to one worker)`;
    }
    if (entry) return `pass \`${entry.oneWorker}\``;
    return countFix(decision, '--workers 1');
  },
};
