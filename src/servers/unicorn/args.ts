/**
 * Unicorn's command line, parsed once for the rule and the config reader: the program (directly or
 * through `bundle exec`) and its `-c FILE` (`bin/unicorn`: OptionParser, so `-cFILE`,
 * `--config-file=FILE` and the unambiguous prefix `--config` work; the last one wins).
 */
import { lastOption, type OptionHit } from '../../argv/options';
import type { SimpleCommand, Word } from '../../shell/types';
import { programArgv } from '../program';
import { spec } from './spec';

/** Unicorn's options that take a value (bin/unicorn), so that their values are never read as options. */
const UNICORN_VALUE_OPTIONS = [
  '-e',
  '--eval',
  '-s',
  '--server',
  '--pid',
  '-E',
  '--env',
  '-o',
  '--host',
  '-p',
  '--port',
  '-l',
  '--listen',
  '-I',
  '--include',
  '-r',
  '--require',
  '-P',
  '--path',
];

export interface UnicornArgs {
  /** The argv from the program on (a launcher such as `bundle exec` stripped). */
  readonly argv: readonly Word[];
  /** Where `argv` starts in the command's own argv (the launcher's words before it). */
  readonly offset: number;
  /** `-c`, `--config-file`, `--config`: the last one. */
  readonly config?: OptionHit;
}

/** Unicorn's arguments, or undefined when the command does not run one of the spec's programs. */
export function unicornArgs(cmd: SimpleCommand): UnicornArgs | undefined {
  const argv = programArgv(cmd, spec);
  if (!argv) return undefined;
  return {
    argv,
    offset: cmd.argv.length - argv.length,
    config: lastOption(argv, ['-c', '--config-file', '--config'], { takesValue: UNICORN_VALUE_OPTIONS }),
  };
}
