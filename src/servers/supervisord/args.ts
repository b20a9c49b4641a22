/**
 * supervisord's command line, parsed once for the rule and the config reader: the program (the
 * script, or `python -m supervisor.supervisord`, through launchers) and its config file option
 * (`supervisor/options.py ServerOptions`: getopt, so `-c FILE`, `-cFILE`, `--configuration FILE`,
 * `--configuration=FILE` and the unambiguous prefix `--config`; the last one wins).
 */
import { lastOption, type OptionHit } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

/** supervisord's program names: the script, and the module run by `python -m`. */
const SUPERVISORD_PROGRAM = new RegExp(
  `^(${[...spec.programs, ...(spec.pythonModules ?? [])].map((n) => n.replace(/[.]/g, '[.]')).join('|')})$`,
);
/** supervisord's options that take a value (`supervisor/options.py ServerOptions.__init__`). */
const TAKES_VALUE = [
  '-u',
  '--user',
  '-m',
  '--umask',
  '-d',
  '--directory',
  '-l',
  '--logfile',
  '-y',
  '--logfile_maxbytes',
  '-z',
  '--logfile_backups',
  '-e',
  '--loglevel',
  '-j',
  '--pidfile',
  '-i',
  '--identifier',
  '-q',
  '--childlogdir',
  '-w',
  '--minfds',
  '-a',
  '--minprocs',
  '--profile_options',
];

export interface SupervisordArgs {
  /** The argv from the program on (launchers stripped). */
  readonly argv: readonly Word[];
  /** `-c`, `--configuration`, `--config`: the last one. */
  readonly config?: OptionHit;
}

/** supervisord's arguments, or undefined when the command does not run supervisord. */
export function supervisordArgs(cmd: SimpleCommand): SupervisordArgs | undefined {
  const inner = stripLaunchers(cmd);
  if (!SUPERVISORD_PROGRAM.test(programName(inner))) return undefined;
  return {
    argv: inner.argv,
    config: lastOption(inner.argv, ['-c', '--configuration', '--config'], { takesValue: TAKES_VALUE }),
  };
}
