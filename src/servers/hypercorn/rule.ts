/**
 * hypercorn: how many worker processes `hypercorn APP …` starts.
 *
 * Read from pgjones/hypercorn 0.18.0 (0e2311f); Debian ships 0.13.2:
 * - `src/hypercorn/__main__.py`: argparse with `-w/--workers` (`type=int`: Python's int(), so `0_2`
 *   and `２` are 2 and `0x2` is refused; last one wins; `-w4` and `-w=4` work), `-k/--worker-class` (asyncio, uvloop, trio: not a count) and `-c/--config` (a TOML file,
 *   `file:path.py` or `python:module`). Command-line values are applied after the config file is
 *   loaded (`if args.workers is not sentinel: config.workers = args.workers`), so they win.
 * - `src/hypercorn/config.py`: `workers = 1`. There is no environment variable for it (no
 *   WEB_CONCURRENCY).
 * - `src/hypercorn/run.py`: 0.18 serves in-process when `workers == 0` and otherwise spawns that many
 *   processes; 0.13.2 serves in-process when `workers == 1`. Either way 0 and 1 are one worker.
 *
 * Decision: a config file named with `-c` and no `-w` on the command line is a warning (the file may
 * set `workers`). Where the file can be read (`oneproc check` on a repository or image),
 * src/servers/hypercorn/config.ts turns its `workers` into a `--workers N` word this rule reads, and
 * src/sources/python/entry.ts does the same for `hypercorn.run.run(config)` in Python source.
 */
import { countFix, decideOption } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import type { ServerRule } from '../../rules/types';
import { viaPython } from '../program';
import { hypercornArgs, runsHypercorn } from './args';
import { spec } from './spec';

export const hypercorn: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: runsHypercorn,
    decide(cmd) {
      const { workers, config } = hypercornArgs(cmd.argv);
      if (workers) return decideOption(workers, PYTHON_INT);
      if (config) {
        return {
          outcome: 'unknown',
          evidence: config.written,
          path: config.path,
          why:
            `the config ${config.value ? `\`${config.value.text}\`` : 'file'} may set \`workers\`, which this ` +
            'manifest cannot show (a count on the command line would win over it)',
        };
      }
      return { outcome: 'single' };
    },
    fix(decision) {
      if (decision.outcome === 'unknown' && /^(-c|--config)/.test(decision.evidence)) {
        return 'pass `--workers 1` on the command line (it wins over the config file)';
      }
      return countFix(decision, '--workers 1');
    },
  },
  new Set(spec.programs),
);
