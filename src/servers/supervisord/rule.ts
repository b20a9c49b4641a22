/**
 * supervisord (Debian's supervisor 4.2.5), a process manager that starts the `[program:x]` sections of
 * its config file — each `numprocs` times. Several copies of one program in one container are several
 * memories behind one pod, exactly like a server's workers.
 *
 * From a command line alone the programs cannot be seen: `supervisord [-n] [-c FILE]` is `unknown`
 * (a warning naming the config, or supervisord's search path when `-c` is not given). Where the file
 * can be read (`oneproc check` on a repository or image), src/servers/supervisord/config.ts follows
 * every started program like a container's own command and reports `numprocs = N` above 1 as a
 * decision of this rule, pointing at that line.
 */

import { lastOption, type OptionHit } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { spec } from './spec';

/** supervisord's program names: the script, and the module run by `python -m`. */
export const SUPERVISORD_PROGRAM = new RegExp(
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

/** The config file option of a supervisord command line (`-c`, `--configuration`, `--config`), if any. */
export function supervisordConfigOption(inner: SimpleCommand): OptionHit | undefined {
  return lastOption(inner.argv, ['-c', '--configuration', '--config'], { takesValue: TAKES_VALUE });
}

export const supervisord: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => SUPERVISORD_PROGRAM.test(programName(stripLaunchers(cmd))),
  // A `numprocs` decision (src/sources/config/supervisord.ts) carries the program's own command.
  launched: (cmd) => (SUPERVISORD_PROGRAM.test(programName(stripLaunchers(cmd))) ? undefined : cmd),
  decide: (cmd): Decision => {
    const inner = stripLaunchers(cmd);
    const config = supervisordConfigOption(inner);
    const file = config?.value
      ? `\`${config.value.text}\``
      : "the first config file of supervisord's search path";
    return {
      outcome: 'unknown',
      evidence: config ? config.written : (inner.argv[0]?.text ?? 'supervisord'),
      path: config ? config.path : (inner.argv[0]?.path ?? ''),
      why: `supervisord starts the programs of ${file} (each \`numprocs\` times), which oneproc cannot read here; run \`oneproc check\` on the repository or image to read it`,
    };
  },
  fix: (decision) =>
    decision.evidence?.startsWith('numprocs')
      ? 'set `numprocs = 1` (or remove it) and run each program in its own container'
      : 'run one program per container, each with one worker process',
};
