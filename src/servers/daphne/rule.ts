/**
 * daphne: one process, always.
 *
 * Read from django/daphne 4.2.2 `daphne/cli.py`: there is no worker option (`-p` is the port). The
 * rule recognises daphne so that no other rule reads its flags; it never reports anything.
 */
import { programName, viaPython } from '../../rules/common';
import type { ServerRule } from '../../rules/types';

export const daphne: ServerRule = viaPython(
  {
    id: 'daphne',
    title: 'daphne',
    category: 'web',
    recognise: (cmd) => programName(cmd) === 'daphne',
    decide: () => ({ outcome: 'single', evidence: 'daphne runs one process' }),
    fix: () => '',
  },
  new Set(['daphne']),
);
