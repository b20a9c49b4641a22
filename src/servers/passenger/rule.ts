/**
 * Phusion Passenger Standalone, `passenger start` (phusion/passenger 6.0.23).
 *
 * - `src/ruby_supportlib/phusion_passenger/standalone/config_options_list.rb`: `--max-pool-size N`
 *   (default `DEFAULT_MAX_POOL_SIZE = 6`, `constants.rb`) and `--min-instances N` (default 1).
 * - `standalone/config_utils.rb load_env_config`: every option also comes from `PASSENGER_<OPTION>`
 *   (`PASSENGER_MAX_POOL_SIZE`); the command line wins. Passengerfile.json may also set it.
 * - How the count is read (`config_utils.rb`): on the command line OptionParser's `Integer` type
 *   (`make_cli_switch_parser`), from the environment `value.to_i` (`parse_config_value`), an empty
 *   value ignored; `max_pool_size` has `:min => 1`, and a smaller value aborts the start.
 * - The pool spawns application processes on demand up to max_pool_size (the "smart" spawner forks
 *   them from a preloader), so under load a default install runs up to 6 processes of the app.
 * Decision: no count → `multiple` with 6 workers (the default pool), `--max-pool-size 1` → one
 * process; the count read from `--max-pool-size`, else PASSENGER_MAX_POOL_SIZE.
 */

import { decideCount, readCount, readEnvCount } from '../../argv/counts';
import { atLeast, type IntReader, OPTIONPARSER_INTEGER, RUBY_TO_I } from '../../argv/ints';
import { firstPositional, lastOption } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

export const PASSENGER_DEFAULT_MAX_POOL_SIZE = 6;

const BELOW_ONE = 'Passenger refuses a max_pool_size below 1 (`:min => 1`)';
const CLI_COUNT: IntReader = atLeast(OPTIONPARSER_INTEGER, 1, BELOW_ONE);
const ENV_COUNT: IntReader = atLeast(RUBY_TO_I, 1, BELOW_ONE);

function startArgv(cmd: SimpleCommand): { argv: readonly Word[]; start: Word; from: number } | undefined {
  const inner = stripLaunchers(cmd);
  if (!spec.programs.includes(programName(inner))) return undefined;
  const sub = firstPositional(inner.argv, 1, ['-p', '--port', '-a', '--address', '-e', '--environment']);
  if (sub?.word.text !== 'start') return undefined;
  return { argv: inner.argv, start: sub.word, from: sub.index + 1 };
}

export const passenger: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => startArgv(cmd) !== undefined,
  decide: (cmd): Decision => {
    const found = startArgv(cmd);
    if (!found) return { outcome: 'single' };
    const hit = lastOption(found.argv, ['--max-pool-size'], { from: found.from });
    if (hit?.value) return decideCount(readCount(hit.value, CLI_COUNT), hit.written, hit.path);
    const entry = cmd.env.get('PASSENGER_MAX_POOL_SIZE');
    if (entry && entry.value !== '')
      return decideCount(
        readEnvCount(entry, ENV_COUNT),
        `PASSENGER_MAX_POOL_SIZE=${entry.value ?? '…'}`,
        entry.path,
      );
    return {
      outcome: 'multiple',
      workers: PASSENGER_DEFAULT_MAX_POOL_SIZE,
      evidence: 'passenger start',
      path: found.start.path,
      why: `the default pool spawns up to ${PASSENGER_DEFAULT_MAX_POOL_SIZE} application processes on demand`,
    };
  },
  fix: (decision) =>
    decision.outcome === 'single' ? '' : 'add `--max-pool-size 1` (and `--min-instances 1`)',
};
