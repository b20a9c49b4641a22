/**
 * waitress (`waitress-serve`): one process, always.
 *
 * Read from Pylons/waitress 3.0.2: `waitress/runner.py` and `adjustments.py` have `--threads`
 * (default 4), which are threads of the one process, and no process option. The rule recognises
 * waitress so that no other rule reads its flags; it never reports anything.
 */
import { programName } from '../../argv/program';
import type { ServerRule } from '../../rules/types';
import { viaPython } from '../program';
import { spec } from './spec';

export const waitress: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: (cmd) => spec.programs.includes(programName(cmd)),
    decide: () => ({ outcome: 'single', evidence: 'waitress runs one process (threads only)' }),
    fix: () => '',
  },
  new Set(spec.programs),
);
