/**
 * Odoo (`odoo`, `odoo-bin`, `openerp-server`): how many worker processes the server starts.
 *
 * Read from odoo/odoo `odoo/tools/config.py` and `odoo/cli/command.py`, `odoo/service/server.py`
 * (the same in 13.0 through 17.0):
 * - optparse option `--workers` (`type="int"`, default 0, "0 disable prefork mode"); `--workers=N`
 *   and `--workers N` work, the last one wins. optparse reads `0x…` as hexadecimal and any other
 *   leading 0 as octal (`--workers 010` is 8, `08` is refused: Lib/optparse.py `_parse_num`). `-w` is
 *   `--db_password`, not a count. `--max-cron-threads` (`type="int"`, default 2) and `--no-http`
 *   (`http_enable`, default on; `--no-xmlrpc` before 11.0) also shape the processes.
 * - `-c/--config FILE` (or the ODOO_RC / OPENERP_SERVER variables) names a config file whose
 *   `[options] workers = N` and `max_cron_threads = N` apply unless the command line sets them.
 * - `server.py start`: `elif config['workers']:` runs the PreforkServer — any count but 0, so
 *   `--workers 1` (and a negative count) is prefork too; 0 runs the ThreadedServer: one process, its
 *   cron jobs in threads.
 * - `PreforkServer.process_spawn`: with HTTP on, `population` (= workers) WorkerHTTP processes and,
 *   through `long_polling_spawn`, one `odoo gevent` process for long polling / websockets; then
 *   `max_cron_threads` WorkerCron processes. Each is a process of its own, with its own registry and
 *   caches. So `--workers 1` is 1 + 1 + 2 = 4 worker processes, `--workers 4` is 7.
 * - `python3 odoo-bin …` is read as `odoo-bin …`.
 * - `odoo/cli/command.py main`: the first argument, when it does not start with `-`, is a subcommand;
 *   `server` (the default) and `start` serve HTTP, others (`shell`, `scaffold`, `db`, `gevent`, …) do
 *   not start prefork workers.
 *
 * Decisions: `--workers 0` (or none) is one process; any other count is prefork, reported with every
 * process it forks; a named config file and no `--workers` is a warning, and without
 * `--max-cron-threads` the cron workers it may set make the count "at least" the HTTP ones.
 */

import { countFix, decideCount, envEvidence, readCount } from '../../argv/counts';
import { OPTPARSE_INT } from '../../argv/ints';
import { findOption, hasFlag, lastHit, type ScanOptions } from '../../argv/options';
import { asScript, programName } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
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

/** Odoo's default `max_cron_threads` (odoo/tools/config.py `--max-cron-threads`, `my_default=2`). */
export const ODOO_DEFAULT_CRON_WORKERS = 2;

/**
 * The processes of prefork mode (`PreforkServer.process_spawn`): `workers` HTTP workers and the
 * gevent long-polling process when HTTP is on, then `max_cron_threads` cron workers.
 */
function prefork(
  cmd: SimpleCommand,
  scan: ScanOptions,
  workers: number,
  evidence: string,
  path: string,
  configFile: boolean,
): Decision {
  const httpOff = hasFlag(cmd.argv, ['--no-http', '--no-xmlrpc'], scan.from);
  const http = httpOff ? 0 : Math.max(workers, 0);
  const gevent = httpOff ? 0 : 1;
  const cronHit = lastHit(findOption(cmd.argv, ['--max-cron-threads'], scan));
  let cron: number | undefined = configFile ? undefined : ODOO_DEFAULT_CRON_WORKERS;
  if (cronHit?.value) {
    const read = OPTPARSE_INT.read(cronHit.value.text);
    cron = cronHit.value.unknown || !('n' in read) ? undefined : Math.max(read.n, 0);
  }
  const parts = [
    ...(httpOff ? [] : [`${http} HTTP worker${http === 1 ? '' : 's'}`, 'a gevent process for long polling']),
    cron === undefined
      ? '`max_cron_threads` cron workers (2 unless the config file says otherwise)'
      : `${cron} cron worker${cron === 1 ? '' : 's'}${cronHit ? '' : ' (`max_cron_threads`, default 2)'}`,
  ];
  const known = http + gevent + (cron ?? 0);
  const why = `prefork mode (any \`--workers\` but 0): ${parts.join(', ')}, each a process of its own`;
  if (cron !== undefined) {
    if (known <= 1) return { outcome: 'single', evidence, path };
    return { outcome: 'multiple', workers: known, evidence, path, why };
  }
  if (known > 1)
    return { outcome: 'multiple', workers: null, evidence, path, why: `at least ${known}: ${why}` };
  return { outcome: 'unknown', evidence, path, why: `${why}; the config file may set \`max_cron_threads\`` };
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
    const config = lastHit(findOption(cmd.argv, ['-c', '--config'], scan));
    const envConfig = cmd.env.get('ODOO_RC') ?? cmd.env.get('OPENERP_SERVER');
    const hit = lastHit(findOption(cmd.argv, ['--workers'], scan));
    if (hit) {
      if (!hit.value) return { outcome: 'single', evidence: hit.written, path: hit.path };
      const count = readCount(hit.value, OPTPARSE_INT);
      if (count.kind !== 'number') return decideCount(count, hit.written, hit.path);
      // `elif config['workers']:` — only 0 is the threaded server.
      if (count.n === 0) return { outcome: 'single', evidence: hit.written, path: hit.path };
      return prefork(cmd, scan, count.n, hit.written, hit.path, config !== undefined || !!envConfig);
    }
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
