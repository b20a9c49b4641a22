/**
 * Puma's command line, parsed once for the rule and the config reader: `puma …` (directly or through
 * a launcher such as `bundle exec`) or `rails server …`, and the options that bear on the worker count
 * (`lib/puma/cli.rb`: OptionParser, so `-w4`, `--workers=4`, `-CFILE`, `--config=FILE`; the last one
 * wins).
 */
import { firstPositional, lastOption, type OptionHit } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

/** Options of puma and `rails server` that take a value, so that their values are never read as options. */
const TAKES_VALUE = [
  '-b',
  '--bind',
  '-C',
  '--config',
  '-e',
  '--environment',
  '-p',
  '--port',
  '-t',
  '--threads',
  '-S',
  '--state',
  '-I',
  '--include',
  '-r',
  '--require',
  '-w',
  '--workers',
  '--control-url',
  '--control-token',
  '--pidfile',
  '--tag',
  '--dir',
  '-u',
  '--using',
  '-P',
  '--pid',
  '-c',
];

export type PumaArgs =
  | {
      readonly mode: 'puma';
      /** Where the program's argv starts in the command's own argv (a launcher's words before it). */
      readonly offset: number;
      /** `-w`, `--workers`: the last one. */
      readonly workers?: OptionHit;
      /** `-C`, `--config`: the last one. */
      readonly config?: OptionHit;
      /** `-e`, `--environment`: the last one (it chooses `config/puma/ENV.rb`). */
      readonly environment?: OptionHit;
      readonly using?: undefined;
    }
  | {
      /** `rails server` (`rails s`), which serves with Puma when the Gemfile has it. */
      readonly mode: 'rails';
      readonly offset: number;
      readonly workers?: undefined;
      readonly config?: undefined;
      readonly environment?: undefined;
      /** `-u`, `--using`: the last one (another server than Puma). */
      readonly using?: OptionHit;
    };

/** Puma's arguments, or undefined when the command runs neither Puma nor `rails server`. */
export function pumaArgs(cmd: SimpleCommand): PumaArgs | undefined {
  const inner = stripLaunchers(cmd);
  const argv: readonly Word[] = inner.argv;
  const offset = cmd.argv.length - argv.length;
  const name = programName(inner);
  if (spec.programs.includes(name)) {
    const opts = { from: 1, takesValue: TAKES_VALUE };
    return {
      mode: 'puma',
      offset,
      workers: lastOption(argv, ['-w', '--workers'], opts),
      config: lastOption(argv, ['-C', '--config'], opts),
      environment: lastOption(argv, ['-e', '--environment'], opts),
    };
  }
  if (name === 'rails') {
    const sub = firstPositional(argv, 1, TAKES_VALUE);
    if (sub && (sub.word.text === 'server' || sub.word.text === 's')) {
      return { mode: 'rails', offset, using: lastOption(argv, ['-u', '--using'], { from: sub.index + 1 }) };
    }
  }
  return undefined;
}
