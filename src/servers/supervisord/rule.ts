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

import type { Decision, ServerRule } from '../../rules/types';
import { supervisordArgs } from './args';
import { spec } from './spec';

export const supervisord: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => supervisordArgs(cmd) !== undefined,
  // A `numprocs` decision (src/sources/config/supervisord.ts) carries the program's own command.
  launched: (cmd) => (supervisordArgs(cmd) ? undefined : cmd),
  decide: (cmd): Decision => {
    const args = supervisordArgs(cmd);
    const argv0 = args?.argv[0];
    const config = args?.config;
    const file = config?.value
      ? `\`${config.value.text}\``
      : "the first config file of supervisord's search path";
    return {
      outcome: 'unknown',
      evidence: config ? config.written : (argv0?.text ?? 'supervisord'),
      path: config ? config.path : (argv0?.path ?? ''),
      why: `supervisord starts the programs of ${file} (each \`numprocs\` times), which oneproc cannot read here; run \`oneproc check\` on the repository or image to read it`,
    };
  },
  fix: (decision) =>
    decision.evidence?.startsWith('numprocs')
      ? 'set `numprocs = 1` (or remove it) and run each program in its own container'
      : 'run one program per container, each with one worker process',
};
