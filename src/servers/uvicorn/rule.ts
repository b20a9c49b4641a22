/**
 * uvicorn: how many server processes `uvicorn APP …` (and `python -m uvicorn`) starts.
 *
 * Read from encode/uvicorn 0.35.0 (e6c7ce7); Debian's 0.17.6 behaves the same in these respects:
 * - `uvicorn/main.py`: a click command with `auto_envvar_prefix="UVICORN"`, so an option absent from
 *   the command line is read from `UVICORN_<OPTION>` (click ignores an empty value). `--workers` has
 *   no short form and defaults to None; `--reload` is a flag.
 * - `uvicorn/config.py` `Config.__init__`: `self.workers = workers or 1` (so 0 means 1); the file
 *   named by `--env-file` is loaded (python-dotenv, existing variables win) and then, only when
 *   `workers is None`, `WEB_CONCURRENCY` is read with `int(...)`.
 * - Counts are Python's `int()`: `--workers` is `type=int`, click's INT (`click/types.py
 *   IntParamType`, `_number_class = int`), for UVICORN_WORKERS too; so `0004`, `1_0`, `４` and ` 4 `
 *   are read as numbers (checked with Debian's uvicorn 0.17.6, test/realservers), and text `int()`
 *   refuses (`0x4`, `4.0`) stops click, or the Config for WEB_CONCURRENCY: the server does not start,
 *   even with `--reload`.
 * - `uvicorn/main.py run()`: `config.should_reload` → one server process under the reloader
 *   (`workers` is ignored, with a warning); else `config.workers > 1` → `Multiprocess`; else in-process.
 * Precedence: `--workers` (last one wins) > UVICORN_WORKERS > WEB_CONCURRENCY (or one set by
 * `--env-file`) > 1.
 *
 * Decisions:
 * - `--reload` (or UVICORN_RELOAD=true) is one worker, so nothing is reported: running a file
 *   watcher in production costs CPU but does not split application state, which is what oneproc is
 *   about.
 * - `--env-file FILE` with no count fixed elsewhere is a warning: the file may set WEB_CONCURRENCY,
 *   which this manifest cannot show.
 * - `envFrom` alone is not reported: a ConfigMap or Secret may hold WEB_CONCURRENCY, but its keys
 *   cannot be seen here and nearly every pod has one; warning on all of them would bury the real cases.
 *   A variable the pod names (`env`, `$(VAR)`) whose value comes from envFrom is a warning.
 */

import { clickEnv, clickEnvBool } from '../../argv/click';
import { countFix, decideEnv, decideOption, envEvidence } from '../../argv/counts';
import { PYTHON_INT } from '../../argv/ints';
import { findOption, lastHit, type ScanOptions } from '../../argv/options';
import { programName } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { Env, SimpleCommand } from '../../shell/types';
import { viaPython } from '../program';
import { spec } from './spec';

/** uvicorn's options that take a value, so a value is never mistaken for an option. */
export const UVICORN_VALUE_OPTIONS = [
  '--host',
  '--port',
  '--uds',
  '--fd',
  '--reload-dir',
  '--reload-include',
  '--reload-exclude',
  '--reload-delay',
  '--workers',
  '--loop',
  '--http',
  '--ws',
  '--ws-max-size',
  '--ws-max-queue',
  '--ws-ping-interval',
  '--ws-ping-timeout',
  '--ws-per-message-deflate',
  '--lifespan',
  '--interface',
  '--env-file',
  '--log-config',
  '--log-level',
  '--forwarded-allow-ips',
  '--root-path',
  '--limit-concurrency',
  '--backlog',
  '--limit-max-requests',
  '--timeout-keep-alive',
  '--timeout-graceful-shutdown',
  '--ssl-keyfile',
  '--ssl-certfile',
  '--ssl-keyfile-password',
  '--ssl-version',
  '--ssl-cert-reqs',
  '--ssl-ca-certs',
  '--ssl-ciphers',
  '--header',
  '--app-dir',
  '--h11-max-incomplete-event-size',
];

const PROGRAMS = new Set(spec.programs);

/**
 * The worker count of a uvicorn `Config` built by `uvicorn.run(workers=…)` from a command line that
 * did not fix it (fastapi-cli takes this path too): WEB_CONCURRENCY, or an env file that may set it.
 */
export function webConcurrencyDecision(env: Env, envFile?: { written: string; path: string }): Decision {
  const concurrency = env.get('WEB_CONCURRENCY');
  if (concurrency) return decideEnv(concurrency, PYTHON_INT);
  if (envFile) {
    return {
      outcome: 'unknown',
      evidence: envFile.written,
      path: envFile.path,
      why: 'the env file may set WEB_CONCURRENCY, which uvicorn reads as its worker count',
    };
  }
  return { outcome: 'single' };
}

export const uvicorn: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: (cmd) => PROGRAMS.has(programName(cmd)),
    decide(cmd) {
      const opts: ScanOptions = { takesValue: UVICORN_VALUE_OPTIONS, shortGlue: 'none' };
      const count = countDecision(cmd, opts);
      // A count click or the Config refuses stops uvicorn before the reloader starts.
      if (count.outcome === 'single' || count.outcome === 'refused') return count;
      // The reloader runs one server process whatever the count.
      if (hasFlagOutsideValues(cmd)) return { outcome: 'single', evidence: '--reload' };
      const reload = clickEnvBool(clickEnv(cmd, 'UVICORN_RELOAD'));
      if (reload === true) return { outcome: 'single', evidence: 'UVICORN_RELOAD' };
      if (reload === 'unknown' && count.outcome === 'multiple') {
        const entry = cmd.env.get('UVICORN_RELOAD')!;
        return {
          outcome: 'unknown',
          evidence: `${count.evidence} with ${envEvidence(entry)}`,
          path: count.path,
          why: `UVICORN_RELOAD cannot be read here (${entry.unknown ?? 'unknown value'}), and with reload on uvicorn ignores the worker count`,
        };
      }
      return count;
    },
    fix(decision) {
      if (decision.outcome === 'unknown' && decision.why.includes('env file')) {
        return 'pass `--workers 1` on the command line (it wins over the env file)';
      }
      if (decision.outcome === 'unknown' && decision.evidence.includes(' with UVICORN_RELOAD')) {
        return `drop \`${decision.evidence.split(' with ')[0]}\` (or set \`--workers 1\`)`;
      }
      return countFix(decision, '--workers 1');
    },
  },
  PROGRAMS,
);

function hasFlagOutsideValues(cmd: SimpleCommand): boolean {
  // `--reload` is a flag; skip the values of value-taking options so `--root-path --reload` is not it.
  for (let i = 1; i < cmd.argv.length; i++) {
    const t = cmd.argv[i].text;
    if (t === '--') return false;
    if (t === '--reload') return true;
    if (UVICORN_VALUE_OPTIONS.includes(t)) i++;
  }
  return false;
}

function countDecision(cmd: SimpleCommand, opts: ScanOptions): Decision {
  const hit = lastHit(findOption(cmd.argv, ['--workers'], opts));
  if (hit) return decideOption(hit, PYTHON_INT);
  const fromEnv = clickEnv(cmd, 'UVICORN_WORKERS');
  if (fromEnv) return decideEnv(fromEnv, PYTHON_INT);
  const envFileHit = lastHit(findOption(cmd.argv, ['--env-file'], opts));
  const envFileEnv = clickEnv(cmd, 'UVICORN_ENV_FILE');
  const envFile = envFileHit
    ? { written: envFileHit.written, path: envFileHit.path }
    : envFileEnv
      ? { written: envEvidence(envFileEnv), path: envFileEnv.path }
      : undefined;
  return webConcurrencyDecision(cmd.env, envFile);
}
