/**
 * RQ workers (rq/rq 2.10; Debian 1.13.0 installed here).
 *
 * - `rq worker` (and the old `rqworker`) is one process that forks one short-lived work-horse per
 *   job; the work-horse exits after the job, so no state lives across jobs in a second process.
 * - `rq worker-pool` (since 1.14, `rq/cli/cli.py`): `--num-workers/-n` (default 1) worker processes,
 *   each with its own work-horses.
 * - `-w` is `--worker-class` and `-n` on `rq worker` is `--name`: neither is a count.
 * Decisions (category `queue`): `rq worker` → one process; `rq worker-pool -n N` → N.
 */

import { decideCount, readCount } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { firstPositional, lastOption } from '../../argv/options';
import { programName } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { programArgv } from '../program';
import { spec } from './spec';

function rqArgv(cmd: SimpleCommand): readonly Word[] | undefined {
  return programArgv(cmd, spec);
}

export const rq: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => rqArgv(cmd) !== undefined,
  decide: (cmd): Decision => {
    const argv = rqArgv(cmd);
    if (!argv || programName({ ...cmd, argv }) !== 'rq') return { outcome: 'single' };
    const sub = firstPositional(argv, 1);
    if (sub?.word.text !== 'worker-pool') return { outcome: 'single' };
    const hit = lastOption(argv, ['-n', '--num-workers'], {
      from: sub.index + 1,
      takesValue: [
        '-u',
        '--url',
        '-c',
        '--config',
        '-w',
        '--worker-class',
        '-j',
        '--job-class',
        '-P',
        '--path',
      ],
    });
    if (!hit?.value) return { outcome: 'single', evidence: 'rq worker-pool', path: sub.word.path };
    // click `type=int`: Python's int().
    return decideCount(readCount(hit.value, PYTHON_INT), hit.written, hit.path);
  },
  fix: (decision) =>
    decision.outcome === 'single' ? '' : 'use `rq worker` (one process) or `--num-workers 1`',
};
