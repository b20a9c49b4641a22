/**
 * Dramatiq workers (Bogdanp/dramatiq 2.2.0, `dramatiq/cli.py`), `dramatiq` and `dramatiq-gevent`.
 *
 * - `CPUS = multiprocessing.cpu_count()`; `--processes/-p` (argparse, `type=int`) defaults to CPUS;
 *   each process runs `--threads/-t` worker threads (default 8), which are not processes.
 * - argparse: `-p 4`, `-p4`, `--processes 4`, `--processes=4`; the last occurrence wins.
 * Decisions (category `queue`): no `-p` → `multiple`, one process per CPU; `-p 1` → one process.
 */

import { decideCount, readCount } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { lastOption } from '../../argv/options';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { programArgv } from '../program';
import { spec } from './spec';

function dramatiqArgv(cmd: SimpleCommand): readonly Word[] | undefined {
  return programArgv(cmd, spec);
}

export const dramatiq: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => dramatiqArgv(cmd) !== undefined,
  decide: (cmd): Decision => {
    const argv = dramatiqArgv(cmd);
    if (!argv) return { outcome: 'single' };
    const hit = lastOption(argv, ['-p', '--processes'], {
      takesValue: [
        '-t',
        '--threads',
        '--path',
        '-P',
        '--queues',
        '-Q',
        '--pid-file',
        '--log-file',
        '--watch',
      ],
    });
    // argparse `type=int`: Python's int().
    if (hit?.value) return decideCount(readCount(hit.value, PYTHON_INT), hit.written, hit.path);
    return {
      outcome: 'multiple',
      workers: null,
      evidence: argv.map((w) => w.text).join(' '),
      path: argv[0].path,
      why: 'dramatiq starts one worker process per CPU by default',
    };
  },
  fix: (decision) => (decision.outcome === 'single' ? '' : 'use `--processes 1` (`-p 1`)'),
};
