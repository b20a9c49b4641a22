/**
 * `unitd`'s command line, parsed once for the rule and the config reader (nginx/unit 1.35
 * `src/nxt_runtime.c` `nxt_runtime_conf_read_cmd`): the state folder that holds `conf.json`, and
 * whether the command only prints something (`--version`, `--help`) and starts nothing.
 */
import { programName, stripLaunchers } from '../../argv/program';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

/** The options that take a value (`nxt_runtime_conf_read_cmd`). */
const VALUED = new Set([
  '--control',
  '--control-mode',
  '--control-user',
  '--control-group',
  '--user',
  '--group',
  '--pid',
  '--log',
  '--modules',
  '--modulesdir',
  '--state',
  '--statedir',
  '--tmp',
  '--tmpdir',
]);

export interface UnitArgs {
  /** The argv from the program on (launchers stripped). */
  readonly argv: readonly Word[];
  /** `--statedir DIR` (or the deprecated `--state DIR`): the last one's value. */
  readonly statedir?: Word;
  /** `--version`, `--help` or `-h`: unitd prints and exits. */
  readonly printsOnly: boolean;
}

/** The state folder a `unitd` command line names (`--statedir DIR`, or the deprecated `--state DIR`). */
function unitStatedir(argv: readonly Word[]): Word | undefined {
  let found: Word | undefined;
  for (let i = 1; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--statedir' || t === '--state') found = argv[i + 1];
    if (VALUED.has(t)) i++;
  }
  return found;
}

/** unitd's arguments, or undefined when the command does not run one of the spec's programs (`unitd`, `unitd-debug`). */
export function unitArgs(cmd: SimpleCommand): UnitArgs | undefined {
  const inner = stripLaunchers(cmd);
  if (!spec.programs.includes(programName(inner))) return undefined;
  const argv = inner.argv;
  const statedir = unitStatedir(argv);
  const printsOnly = argv.some((w) => w.text === '--version' || w.text === '--help' || w.text === '-h');
  return statedir ? { argv, statedir, printsOnly } : { argv, printsOnly };
}
