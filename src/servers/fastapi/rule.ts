/**
 * fastapi-cli: how many server processes `fastapi run|dev …` starts.
 *
 * Read from fastapi/fastapi-cli 0.0.32 (b4411ec) `src/fastapi_cli/cli.py`: a typer app with the
 * subcommands `dev` and `run`; both call `uvicorn.run(app, reload=…, workers=…)`.
 * - `run`: `--workers` (None by default) and `--reload/--no-reload` (off by default).
 * - `dev`: `--reload/--no-reload` (on by default) and no `--workers`.
 * - uvicorn's click command is not used, so the UVICORN_* variables do not apply; uvicorn's `Config`
 *   is, so `workers or 1` (0 means 1) and WEB_CONCURRENCY when `workers is None` do (see uvicorn.ts).
 * - With reload on, uvicorn runs one server process under the reloader.
 */

import { countFix, decideOption } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { findOption, lastHit, type ScanOptions } from '../../argv/options';
import { programName } from '../../argv/program';
import type { ServerRule } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { viaPython } from '../program';
import { webConcurrencyDecision } from '../uvicorn/rule';
import { spec } from './spec';

const VALUE_OPTIONS = [
  '--host',
  '--port',
  '--workers',
  '--root-path',
  '--app',
  '--entrypoint',
  '-e',
  '--forwarded-allow-ips',
];

/** The subcommand (`run`, `dev`) and the index of the word after it. */
function subcommand(cmd: SimpleCommand): { name: string; from: number } | undefined {
  for (let i = 1; i < cmd.argv.length; i++) {
    const t = cmd.argv[i].text;
    if (t.startsWith('-')) continue;
    return { name: t, from: i + 1 };
  }
  return undefined;
}

export const fastapi: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise(cmd) {
      if (!spec.programs.includes(programName(cmd))) return false;
      const sub = subcommand(cmd)?.name;
      return sub === 'run' || sub === 'dev';
    },
    decide(cmd) {
      const sub = subcommand(cmd);
      if (!sub) return { outcome: 'single' };
      const scan: ScanOptions = { from: sub.from, shortGlue: 'none', takesValue: VALUE_OPTIONS };
      let reload = sub.name === 'dev';
      for (let i = sub.from; i < cmd.argv.length; i++) {
        const t = cmd.argv[i].text;
        if (t === '--') break;
        if (t === '--reload') reload = true;
        else if (t === '--no-reload') reload = false;
        else if (VALUE_OPTIONS.includes(t)) i++;
      }
      if (reload) return { outcome: 'single', evidence: `fastapi ${sub.name} with reload` };
      const hit = sub.name === 'run' ? lastHit(findOption(cmd.argv, ['--workers'], scan)) : undefined;
      // typer's `int` option is click's INT: Python's int() (see uvicorn.ts).
      if (hit) return decideOption(hit, PYTHON_INT);
      return webConcurrencyDecision(cmd.env);
    },
    fix: (decision) => countFix(decision, '--workers 1'),
  },
  new Set(spec.programs),
);
