/**
 * Laravel Octane: `php artisan octane:start` and the per-server commands `octane:swoole`,
 * `octane:roadrunner`, `octane:frankenphp` (laravel/octane v2.3.6, `src/Commands/*.php`).
 *
 * Octane keeps the booted application in memory between requests, so in-memory state splits across
 * its workers exactly like a Python or Node server's (DESIGN.md lists it in scope).
 * - `--workers=auto` is the default (`{--workers=auto}` in each command's signature); `--server=`
 *   picks the server, else `config('octane.server')`, i.e. `env('OCTANE_SERVER', 'roadrunner')`.
 * - Swoole: `auto` becomes `swoole_cpu_num()`. RoadRunner: `auto` becomes 0 and RoadRunner's pool
 *   then starts one PHP process per CPU. FrankenPHP: `auto` leaves the worker count to FrankenPHP,
 *   which starts 2 × CPUs workers.
 * - FrankenPHP workers are threads of one process, but each worker thread has its own PHP globals and
 *   statics (ZTS), so state kept in them differs between requests just as across processes: counted
 *   as workers here.
 * - `--task-workers` (Swoole task processes) and `--max-requests` are not request workers.
 * Decisions: `--workers=1` → one worker; `--workers=N>1` → N; `auto`, 0 or no option → `multiple`,
 * one or more per CPU whatever the server.
 */

import { decideCount, readCount } from '../../argv/counts';
import { PLAIN_DECIMAL } from '../../argv/ints';
import { lastOption } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

const COMMANDS = /^octane:(start|swoole|roadrunner|frankenphp)$/;

function locate(cmd: SimpleCommand): { argv: readonly Word[]; command: Word; index: number } | undefined {
  const inner = stripLaunchers(cmd);
  const name = programName(inner);
  let index = -1;
  if (/^php(\d+(\.\d+)?)?$/.test(name) && /(^|\/)artisan$/.test(inner.argv[1]?.text ?? '')) index = 2;
  else if (name === 'artisan') index = 1;
  const word = index > 0 ? inner.argv[index] : undefined;
  if (!word || !COMMANDS.test(word.text)) return undefined;
  return { argv: inner.argv, command: word, index };
}

function serverOf(cmd: SimpleCommand, argv: readonly Word[], command: Word, from: number): string {
  const fixed = COMMANDS.exec(command.text)?.[1];
  if (fixed && fixed !== 'start') return fixed;
  const option = lastOption(argv, ['--server'], { from });
  if (option?.value && !option.value.unknown) return option.value.text;
  const env = cmd.env.get('OCTANE_SERVER');
  if (env?.value) return env.value;
  return 'roadrunner';
}

function perCpu(server: string): string {
  if (server === 'swoole') return 'Swoole starts one worker per CPU for `--workers=auto`';
  if (server === 'frankenphp')
    return 'FrankenPHP starts 2 workers per CPU when Octane leaves the count to it';
  return 'RoadRunner starts one PHP worker per CPU when Octane leaves the count to it';
}

export const octane: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => locate(cmd) !== undefined,
  decide: (cmd): Decision => {
    const found = locate(cmd);
    if (!found) return { outcome: 'single' };
    const from = found.index + 1;
    const server = serverOf(cmd, found.argv, found.command, from);
    const hit = lastOption(found.argv, ['--workers'], { from });
    if (hit?.value) {
      // Each server's command compares the option with 'auto' in `workerCount()`
      // (src/Commands/StartSwooleCommand.php, StartRoadRunnerCommand.php, StartFrankenPhpCommand.php);
      // any other text goes to the server as it is, and PHP's and the servers' own conversion of it
      // is not followed here: plain digits only, anything else unknown.
      const count = readCount(hit.value, PLAIN_DECIMAL);
      const isAuto =
        (hit.value.unknown === undefined && hit.value.text === 'auto') ||
        (count.kind === 'number' && count.n === 0);
      if (!isAuto) return decideCount(count, hit.written, hit.path);
      return {
        outcome: 'multiple',
        workers: null,
        evidence: hit.written,
        path: hit.path,
        why: perCpu(server),
      };
    }
    return {
      outcome: 'multiple',
      workers: null,
      evidence: found.argv
        .slice(0, from)
        .map((w) => w.text)
        .join(' '),
      path: found.command.path,
      why: `\`--workers\` defaults to auto: ${perCpu(server)}`,
    };
  },
  fix: (decision) => (decision.outcome === 'single' ? '' : 'add `--workers=1`'),
};
