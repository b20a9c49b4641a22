/**
 * The argv of a command that starts one of a spec's programs, directly or through a launcher
 * (`bundle exec unicorn`, `python -m dramatiq`): what most rules recognise first; and a rule that also
 * recognises its program run as a script by a Python interpreter.
 */
import { asScript, programName, stripLaunchers } from '../argv/program';
import type { ServerRule } from '../rules/types';
import type { SimpleCommand, Word } from '../shell/types';
import type { ServerSpec } from './types';

/** The argv from the program on, or undefined when the command does not start one of `spec.programs`. */
export function programArgv(
  cmd: SimpleCommand,
  spec: Pick<ServerSpec, 'programs'>,
): readonly Word[] | undefined {
  const inner = stripLaunchers(cmd);
  return spec.programs.includes(programName(inner)) ? inner.argv : undefined;
}

/** A rule that also recognises its program run as a script by a Python interpreter (see asScript). */
export function viaPython(rule: ServerRule, names: ReadonlySet<string>): ServerRule {
  return {
    ...rule,
    recognise: (cmd) => rule.recognise(asScript(cmd, names)),
    decide: (cmd) => rule.decide(asScript(cmd, names)),
  };
}
