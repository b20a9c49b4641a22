/**
 * granian: how many worker processes `granian APP …` starts.
 *
 * Read from emmett-framework/granian 2.8.1 (9a20b17):
 * - `granian/cli.py`: a click command run as `cli(auto_envvar_prefix='GRANIAN')`, so an option absent
 *   from the command line is read from `GRANIAN_<OPTION>` (click ignores an empty value).
 *   `--workers` has no short form, `type=click.IntRange(1)`, default 1: 0 is refused and the server
 *   does not start. `--threads`, `--blocking-threads`, `--runtime-threads` and `--workers-lifetime`
 *   are not process counts.
 * - `granian/server/mp.py`: `_serve_with_reloader` spawns the same `workers` processes as `_serve`,
 *   so `--reload` does not change the count.
 * - `granian/server/__init__.py`: `Server = MPServer if BUILD_GIL else MTServer`. On a
 *   free-threaded build the workers are threads of one process; oneproc assumes the common GIL build.
 * - No WEB_CONCURRENCY.
 */

import { clickEnv } from '../../argv/click';
import { countFix, decideEnv, decideOption } from '../../argv/counts';
import { atLeast, type IntReader, PYTHON_INT } from '../../argv/ints';
import { findOption, lastHit } from '../../argv/options';
import { programName } from '../../argv/program';
import type { ServerRule } from '../../rules/types';
import { viaPython } from '../program';
import { spec } from './spec';

const VALUE_OPTIONS = [
  '--host',
  '--port',
  '--interface',
  '--http',
  '--workers',
  '--threads',
  '--blocking-threads',
  '--runtime-threads',
  '--runtime-blocking-threads',
  '--runtime-mode',
  '--threading-mode',
  '--loop',
  '--task-impl',
  '--backlog',
  '--backpressure',
  '--log-level',
  '--log-config',
  '--access-log-fmt',
  '--ssl-certificate',
  '--ssl-keyfile',
  '--ssl-keyfile-password',
  '--url-path-prefix',
  '--respawn-interval',
  '--workers-lifetime',
  '--workers-kill-timeout',
  '--workers-max-rss',
  '--reload-paths',
  '--reload-ignore-dirs',
  '--reload-ignore-patterns',
  '--reload-ignore-paths',
  '--process-name',
  '--pid-file',
  '--uds',
  '--uds-permissions',
  '--static-path-route',
  '--static-path-mount',
  '--working-dir',
  '--env-files',
];

/** click's IntRange(1): Python's int() (click's INT), then values below 1 are refused. */
const WORKERS: IntReader = atLeast(
  PYTHON_INT,
  1,
  'granian refuses a worker count below 1 (click.IntRange(1))',
);

export const granian: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: (cmd) => spec.programs.includes(programName(cmd)),
    decide(cmd) {
      const hit = lastHit(
        findOption(cmd.argv, ['--workers'], { shortGlue: 'none', takesValue: VALUE_OPTIONS }),
      );
      if (hit) return decideOption(hit, WORKERS);
      const fromEnv = clickEnv(cmd, 'GRANIAN_WORKERS');
      if (fromEnv) return decideEnv(fromEnv, WORKERS);
      return { outcome: 'single' };
    },
    fix: (decision) => countFix(decision, '--workers 1'),
  },
  new Set(spec.programs),
);
