/**
 * gunicorn: how many worker processes `gunicorn APP …` (and `python -m gunicorn`) starts.
 *
 * Read from benoitc/gunicorn 26.1.0 (65ac1a3); Debian's 20.1.0 is identical in these respects:
 * - `gunicorn/config.py` `class Workers`: `cli = ["-w", "--workers"]`, `type = int`, validated by
 *   `validate_pos_int` (0 is allowed: an arbiter with no workers; a negative count is refused),
 *   default `int(os.environ.get("WEB_CONCURRENCY", 1))`. The parser is argparse, so `-w 4`, `-w4`,
 *   `-w=4`, `--workers 4` and `--workers=4` all work and the last occurrence wins.
 * - Counts are Python's `int()` in base 10: argparse's `type=int` on the command line and in
 *   GUNICORN_CMD_ARGS (`-w 1_0` is 10, `-w ４` is 4, `-w 04` is 4; `-w 0x4` is "invalid int value"),
 *   and `int(os.environ.get("WEB_CONCURRENCY", 1))`, which runs when gunicorn.config is imported: a
 *   WEB_CONCURRENCY that `int()` refuses (or a negative one, refused when the settings are built)
 *   stops gunicorn whatever `-w` says. Only a config file's string value goes through
 *   `int(value, 0)` (src/servers/gunicorn/config.ts). Checked with Debian's gunicorn 20.1.0
 *   (test/realservers).
 * - `gunicorn/config.py get_cmd_args_from_env`: `shlex.split(os.environ["GUNICORN_CMD_ARGS"])`.
 * - `gunicorn/app/base.py load_config`: the defaults (WEB_CONCURRENCY) are overridden by the config
 *   file (`-c/--config` on the command line, else `-c` inside GUNICORN_CMD_ARGS, else an implicit
 *   `./gunicorn.conf.py`), then by GUNICORN_CMD_ARGS, then by the command line.
 *   `--paste FILE` settings come before the config file.
 * - `--threads`, `-k/--worker-class`, `--worker-connections` and `--worker-tmp-dir` are not counts
 *   (threads stay inside one process).
 *
 * Decisions:
 * - A config file named with `-c` (or `--paste`) may set `workers`, which the manifest cannot show:
 *   with no count on the command line or in GUNICORN_CMD_ARGS, that is a warning — unless
 *   WEB_CONCURRENCY asks for more than one (the file starts from that default and usually keeps or
 *   raises it), which is reported as that count. An implicit `./gunicorn.conf.py` is not warned about:
 *   nothing in the manifest hints at it.
 * - `envFrom` alone is not reported (its keys cannot be seen here; see uvicorn.ts); a variable the pod
 *   names whose value comes from envFrom or valueFrom is a warning.
 */

import { countFix, decideEnv, decideOption, envEvidence } from '../../argv/counts';
import { atLeast, type IntReader, PYTHON_INT } from '../../argv/ints';
import type { OptionHit } from '../../argv/options';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { viaPython } from '../program';
import { type GunicornOptions, gunicornArgs, runsGunicorn } from './args';
import { spec } from './spec';

const PROGRAMS = new Set(spec.programs);

/** argparse's `type=int` (Python's int()), then `validate_pos_int`. */
export const GUNICORN_WORKERS: IntReader = atLeast(
  PYTHON_INT,
  0,
  'gunicorn refuses a negative worker count (validate_pos_int: "Value must be positive")',
);

export const gunicorn: ServerRule = viaPython(
  {
    id: spec.id,
    title: spec.title,
    category: spec.category,
    recognise: runsGunicorn,
    decide(cmd) {
      // WEB_CONCURRENCY is read when gunicorn starts, whatever else sets the count.
      const concurrency = cmd.env.get('WEB_CONCURRENCY');
      if (concurrency) {
        const read = decideEnv(concurrency, GUNICORN_WORKERS);
        if (read.outcome === 'refused') return read;
      }
      const { cli, env } = gunicornArgs(cmd);
      if (cli.workers) return decideOption(cli.workers, GUNICORN_WORKERS);

      let envArgs: GunicornOptions = {};
      if (env) {
        const cmdArgsEntry = env.entry;
        if (!env.options) {
          return {
            outcome: 'unknown',
            evidence: envEvidence(cmdArgsEntry),
            path: cmdArgsEntry.path,
            why: `GUNICORN_CMD_ARGS cannot be read here (${cmdArgsEntry.unknown ?? 'unknown value'}) and may set --workers`,
          };
        }
        envArgs = env.options;
        if (envArgs.workers) {
          return decideOption(
            { ...envArgs.workers, written: `GUNICORN_CMD_ARGS="${cmdArgsEntry.value}"` },
            GUNICORN_WORKERS,
          );
        }
      }

      const base = webConcurrency(cmd);
      const named = cli.config ?? envArgs.config ?? cli.paste ?? envArgs.paste;
      if (!named) return base;
      if (base.outcome === 'multiple') {
        return { ...base, why: `unless ${fileName(named)} sets workers to 1` };
      }
      if (base.outcome === 'unknown') return base;
      // Which file is named is itself not known here: say why, not that a file is missing.
      const unknownName = named.value?.unknown;
      return {
        outcome: 'unknown',
        evidence: named.written,
        path: named.path,
        why:
          (unknownName !== undefined
            ? `which config file it loads is not known here (${unknownName}), and that file may set \`workers\``
            : `the config file ${fileName(named)} may set \`workers\`, which this manifest cannot show`) +
          ' (a count on the command line would win over it)',
      };
    },
    fix(decision) {
      if (decision.outcome !== 'single' && decision.evidence.startsWith('GUNICORN_CMD_ARGS')) {
        return (
          'remove the worker count from GUNICORN_CMD_ARGS, or pass `--workers 1` on the command line ' +
          '(it wins over GUNICORN_CMD_ARGS)'
        );
      }
      if (decision.outcome === 'multiple' && decision.why?.startsWith('unless')) {
        return 'pass `--workers 1` on the command line (it wins over the config file and WEB_CONCURRENCY)';
      }
      if (decision.outcome === 'unknown' && /^(-c|--config|--paste)/.test(decision.evidence)) {
        return 'pass `--workers 1` on the command line (it wins over the config file)';
      }
      return countFix(decision, '--workers 1');
    },
  },
  PROGRAMS,
);

function webConcurrency(cmd: SimpleCommand): Decision {
  const entry = cmd.env.get('WEB_CONCURRENCY');
  return entry ? decideEnv(entry, GUNICORN_WORKERS) : { outcome: 'single' };
}

function fileName(hit: OptionHit): string {
  return hit.value ? `\`${hit.value.text}\`` : 'named with -c';
}
