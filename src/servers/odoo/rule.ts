/**
 * Odoo (`odoo`, `odoo-bin`, `openerp-server`): how many HTTP worker processes the server starts.
 *
 * Read from odoo/odoo `odoo/tools/config.py` and `odoo/cli/command.py`, `odoo/service/server.py`:
 * - optparse option `--workers` (`type="int"`, default 0, "0 disable prefork mode"); `--workers=N`
 *   and `--workers N` work, the last one wins. optparse reads `0x…` as hexadecimal and any other
 *   leading 0 as octal (`--workers 010` is 8, `08` is refused: Lib/optparse.py `_parse_num`). `-w` is `--db_password`, not a count.
 * - `-c/--config FILE` (or the ODOO_RC / OPENERP_SERVER variables) names a config file whose
 *   `[options] workers = N` applies unless the command line sets `--workers`.
 * - With `workers > 0` the PreforkServer starts that many HTTP workers and also forks
 *   `max_cron_threads` cron workers (default 2) and a gevent process for websockets. Odoo keeps its
 *   state in PostgreSQL by design, but the HTTP workers still each hold their own caches.
 * - `python3 odoo-bin …` is read as `odoo-bin …`.
 * - `odoo/cli/command.py main`: the first argument, when it does not start with `-`, is a subcommand;
 *   `server` (the default) and `start` serve HTTP, others (`shell`, `scaffold`, `db`, …) do not.
 *
 * Decisions: `--workers 0` and `--workers 1` are one HTTP worker; a named config file and no
 * `--workers` is a warning.
 */

import {
  asScript,
  countFix,
  decideOption,
  envEvidence,
  findOption,
  lastHit,
  OPTPARSE_INT,
  programName,
  type ScanOptions,
} from '../../rules/common';
import type { ServerRule } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { spec } from './spec';

const PROGRAMS = new Set(spec.programs);

const VALUE_OPTIONS = [
  '-c',
  '--config',
  '-d',
  '--database',
  '-r',
  '--db_user',
  '-w',
  '--db_password',
  '--db_host',
  '--db_port',
  '--addons-path',
  '-p',
  '--http-port',
  '--http-interface',
  '-i',
  '--init',
  '-u',
  '--update',
  '--log-level',
  '--logfile',
  '--max-cron-threads',
  '--limit-time-cpu',
  '--limit-time-real',
  '--limit-memory-soft',
  '--limit-memory-hard',
  '--limit-request',
  '--db-filter',
  '--proxy-mode',
  '-D',
  '--data-dir',
  '--gevent-port',
  '--longpolling-port',
];

function serverArgsFrom(cmd: SimpleCommand): number | undefined {
  let i = 1;
  if (cmd.argv[i]?.text.startsWith('--addons-path=') && cmd.argv.length > 2) i++;
  const first = cmd.argv[i];
  if (!first || first.text.startsWith('-')) return i;
  return first.text === 'server' || first.text === 'start' ? i + 1 : undefined;
}

export const odoo: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise(original) {
    const cmd = asScript(original, PROGRAMS);
    return PROGRAMS.has(programName(cmd)) && serverArgsFrom(cmd) !== undefined;
  },
  decide(original) {
    const cmd = asScript(original, PROGRAMS);
    const from = serverArgsFrom(cmd) ?? 1;
    const scan: ScanOptions = { from, shortGlue: 'glued', takesValue: VALUE_OPTIONS };
    const hit = lastHit(findOption(cmd.argv, ['--workers'], scan));
    if (hit) {
      const decision = decideOption(hit, OPTPARSE_INT);
      return decision.outcome === 'multiple'
        ? { ...decision, why: 'prefork mode; it also forks cron worker processes' }
        : decision;
    }
    const config = lastHit(findOption(cmd.argv, ['-c', '--config'], scan));
    const envConfig = cmd.env.get('ODOO_RC') ?? cmd.env.get('OPENERP_SERVER');
    if (config || envConfig) {
      const evidence = config ? config.written : envEvidence(envConfig!);
      return {
        outcome: 'unknown',
        evidence,
        path: config ? config.path : envConfig!.path,
        why:
          'the Odoo config file may set `workers`, which this manifest cannot show ' +
          '(`--workers` on the command line would win over it)',
      };
    }
    return { outcome: 'single' };
  },
  fix(decision) {
    if (decision.outcome === 'unknown' && !decision.evidence.startsWith('--workers')) {
      return 'pass `--workers 0` on the command line (it wins over the config file)';
    }
    return countFix(decision, '--workers 0').replace('`--workers 0`)', '`--workers 0`, threaded mode)');
  },
};
