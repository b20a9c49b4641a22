/**
 * sanic: how many worker processes `sanic APP …` starts.
 *
 * Read from sanic-org/sanic 25.12.0:
 * - `sanic/cli/arguments.py`: argparse; a mutually exclusive group of `-w/--workers N` (`type=int`:
 *   Python's int(); default 1),
 *   `--fast` (as many workers as CPUs) and `--single-process`. `-p` is the port, not a count.
 * - `sanic/mixins/startup.py prepare`: `fast` sets `workers` to the number of CPUs the process may
 *   run on — on a Kubernetes node that is every CPU of the node, so more than one.
 * - No WEB_CONCURRENCY.
 */
import { countFix, decideOption } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { findOption, hasFlag, lastHit, type ScanOptions } from '../../argv/options';
import { programName } from '../../argv/program';
import type { ServerRule } from '../../rules/types';
import { viaPython } from '../program';
import { spec } from './spec';

const VALUE_OPTIONS = [
  '-H',
  '--host',
  '-p',
  '--port',
  '-u',
  '--unix',
  '--cert',
  '--key',
  '--tls',
  '--tls-strategy',
  '-R',
  '--reload-dir',
  '--inspect-raw',
];

const SCAN: ScanOptions = { shortGlue: 'glued-or-equals', takesValue: VALUE_OPTIONS };

export const sanic: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: (cmd) => spec.programs.includes(programName(cmd)) && cmd.argv[1]?.text !== 'inspect',
    decide(cmd) {
      const single = hasFlag(cmd.argv, ['--single-process']);
      if (single) return { outcome: 'single', evidence: '--single-process', path: single.path };
      const fast = hasFlag(cmd.argv, ['--fast']);
      if (fast) {
        return {
          outcome: 'multiple',
          workers: null,
          evidence: '--fast',
          path: fast.path,
          why: 'one per CPU of the node',
        };
      }
      const hit = lastHit(findOption(cmd.argv, ['-w', '--workers'], SCAN));
      return hit ? decideOption(hit, PYTHON_INT) : { outcome: 'single' };
    },
    fix(decision) {
      if (decision.outcome !== 'single' && decision.evidence === '--fast') {
        return 'drop `--fast` (or use `--single-process`)';
      }
      return countFix(decision, '--workers 1');
    },
  },
  new Set(spec.programs),
);
