/**
 * daphne: one process, always.
 *
 * Read from django/daphne 4.2.2 `daphne/cli.py`: there is no worker option (`-p` is the port). The
 * rule recognises daphne so that no other rule reads its flags; it never reports anything.
 */
import { programName } from '../../argv/program';
import type { ServerRule } from '../../rules/types';
import { viaPython } from '../program';
import { spec } from './spec';

export const daphne: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: (cmd) => spec.programs.includes(programName(cmd)),
    decide: () => ({ outcome: 'single', evidence: 'daphne runs one process' }),
    fix: () => '',
  },
  new Set(spec.programs),
);
