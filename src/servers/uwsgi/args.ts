/**
 * uWSGI's program, for the rule and the config reader alike: `uwsgi`, and the `uwsgi_python3`-style
 * names of Debian's plugin packages (spec.ts `programPattern`).
 *
 * uWSGI's options are not parsed here: the rule reads the command line as a sequence of events in the
 * order uWSGI applies them (core/uwsgi.c: options, then config files), and the config reader splices
 * each `--ini FILE` in place, which are two different walks over the words.
 */
import { programName } from '../../argv/program';
import type { SimpleCommand } from '../../shell/types';
import { spec } from './spec';

const PROGRAM = new RegExp(spec.programPattern ?? `^(${spec.programs.join('|')})$`);

/** True when argv[0] is one of uWSGI's program names. */
export function runsUwsgi(cmd: SimpleCommand): boolean {
  return PROGRAM.test(programName(cmd));
}
