/**
 * hypercorn's command line, parsed once for the rule and the config reader (hypercorn/__main__.py:
 * argparse, so `-w 4`, `-w4`, `-w=4`, `--workers=4`; the last occurrence wins).
 */
import { findOption, lastHit, type OptionHit, type ScanOptions } from '../../argv/options';
import { programName } from '../../argv/program';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

const VALUE_OPTIONS = [
  '--access-log',
  '--access-logformat',
  '--backlog',
  '-b',
  '--bind',
  '--ca-certs',
  '--certfile',
  '--cert-reqs',
  '--ciphers',
  '-c',
  '--config',
  '--error-logfile',
  '--log-file',
  '--graceful-timeout',
  '--read-timeout',
  '--max-requests',
  '--max-requests-jitter',
  '-g',
  '--group',
  '-k',
  '--worker-class',
  '--keep-alive',
  '--keyfile',
  '--keyfile-password',
  '--insecure-bind',
  '--log-config',
  '--log-level',
  '-p',
  '--pid',
  '--quic-bind',
  '--root-path',
  '--server-name',
  '--statsd-host',
  '--statsd-prefix',
  '-m',
  '--umask',
  '-u',
  '--user',
  '--verify-mode',
  '--websocket-ping-interval',
  '--access-logfile',
  '--error-log',
];

/** How hypercorn's argparse reads its options. */
const HYPERCORN_SCAN: ScanOptions = { shortGlue: 'glued-or-equals', takesValue: VALUE_OPTIONS };

export interface HypercornArgs {
  /** `-w`, `--workers`: the last one. */
  readonly workers?: OptionHit;
  /** `-c`, `--config`: the last one. */
  readonly config?: OptionHit;
}

/** The options of hypercorn's argv (argv[0] is the program). */
export function hypercornArgs(argv: readonly Word[]): HypercornArgs {
  return {
    workers: lastHit(findOption(argv, ['-w', '--workers'], HYPERCORN_SCAN)),
    config: lastHit(findOption(argv, ['-c', '--config'], HYPERCORN_SCAN)),
  };
}

/** True when argv[0] is one of hypercorn's program names (spec.ts). */
export function runsHypercorn(cmd: SimpleCommand): boolean {
  return spec.programs.includes(programName(cmd));
}
