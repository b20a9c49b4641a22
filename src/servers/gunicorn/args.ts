/**
 * gunicorn's command line, parsed once for the rule and the config reader: the options that choose
 * the worker count or the file that may set it, on the command line and in GUNICORN_CMD_ARGS.
 *
 * gunicorn's parser is argparse (gunicorn/config.py `Setting.add_option`): `-w 4`, `-w4`, `-w=4`,
 * `--workers 4`, `--workers=4`, the last occurrence wins. GUNICORN_CMD_ARGS is split with
 * `shlex.split` (gunicorn/config.py `get_cmd_args_from_env`) and parsed by the same parser.
 */
import { findOption, lastHit, type OptionHit, type ScanOptions } from '../../argv/options';
import { programName } from '../../argv/program';
import { splitEnvArgs } from '../../argv/shlex';
import type { EnvEntry, SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

/** gunicorn's options that take a value (so their values are never read as options). */
const VALUE_OPTIONS = [
  '-b',
  '--bind',
  '-k',
  '--worker-class',
  '-c',
  '--config',
  '--threads',
  '--worker-connections',
  '-t',
  '--timeout',
  '--graceful-timeout',
  '--keep-alive',
  '--max-requests',
  '--max-requests-jitter',
  '--backlog',
  '--log-level',
  '--log-file',
  '--error-logfile',
  '--access-logfile',
  '--access-logformat',
  '--log-config',
  '--log-syslog-to',
  '--log-syslog-prefix',
  '--log-syslog-facility',
  '--logger-class',
  '-e',
  '--env',
  '-n',
  '--name',
  '-p',
  '--pid',
  '-u',
  '--user',
  '-g',
  '--group',
  '-m',
  '--umask',
  '--chdir',
  '--pythonpath',
  '--worker-tmp-dir',
  '--forwarded-allow-ips',
  '--proxy-allow-from',
  '--certfile',
  '--keyfile',
  '--ca-certs',
  '--ciphers',
  '--ssl-version',
  '--cert-reqs',
  '--statsd-host',
  '--statsd-prefix',
  '--dogstatsd-tags',
  '--paste',
  '--paster',
  '--limit-request-line',
  '--limit-request-fields',
  '--limit-request-field_size',
  '--reload-engine',
  '--reload-extra-file',
];

const SCAN: ScanOptions = { shortGlue: 'glued-or-equals', takesValue: VALUE_OPTIONS };

/** The options of one argv (the command line's, or GUNICORN_CMD_ARGS's) that bear on the count. */
export interface GunicornOptions {
  /** `-w`, `--workers`: the last one. */
  readonly workers?: OptionHit;
  /** `-c`, `--config`: the last one. */
  readonly config?: OptionHit;
  /** `--paste`, `--paster`: the last one. */
  readonly paste?: OptionHit;
}

export interface GunicornArgs {
  /** The command line's options (from argv[1]). */
  readonly cli: GunicornOptions;
  /**
   * GUNICORN_CMD_ARGS: absent when the variable is not set; `options` absent when its value is not
   * known here.
   */
  readonly env?: { readonly entry: EnvEntry; readonly options?: GunicornOptions };
}

/** The options of `argv` from `from` on. */
export function gunicornOptions(argv: readonly Word[], from: number): GunicornOptions {
  const opts = { ...SCAN, from };
  return {
    workers: lastHit(findOption(argv, ['-w', '--workers'], opts)),
    config: lastHit(findOption(argv, ['-c', '--config'], opts)),
    paste: lastHit(findOption(argv, ['--paste', '--paster'], opts)),
  };
}

/** gunicorn's arguments for a command that runs gunicorn (argv[0] is one of the spec's programs). */
export function gunicornArgs(cmd: SimpleCommand): GunicornArgs {
  const cli = gunicornOptions(cmd.argv, 1);
  const entry = cmd.env.get('GUNICORN_CMD_ARGS');
  if (!entry) return { cli };
  const words = splitEnvArgs(entry);
  return { cli, env: words ? { entry, options: gunicornOptions(words, 0) } : { entry } };
}

/** True when argv[0] is one of gunicorn's program names (spec.ts: `gunicorn`, `gunicorn3`). */
export function runsGunicorn(cmd: SimpleCommand): boolean {
  return spec.programs.includes(programName(cmd));
}
