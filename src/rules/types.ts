import type { Cause, Place } from '../place';
import type { SimpleCommand } from '../shell/types';
import type { Category } from '../types';

/**
 * What a rule decides about one command.
 * - `single`: one worker process (nothing to report).
 * - `multiple`: more than one worker process (an error, for the web category).
 * - `unknown`: a count is asked for but cannot be resolved here (a warning), with the reason.
 * - `refused`: the server refuses the count it is given, so it exits and the container does not start
 *   (a warning that says so).
 */
export type Decision =
  | { readonly outcome: 'single'; readonly evidence?: string; readonly path?: string }
  | {
      readonly outcome: 'multiple';
      /** The fixed count, or null when it is e.g. one per CPU (`--fast`, `-i max`, `$((2*$(nproc)+1))`). */
      readonly workers: number | null;
      /** The words that decided it, as the user wrote them, e.g. `--workers 4`, `WEB_CONCURRENCY=4`. */
      readonly evidence: string;
      /** The field that decided it. */
      readonly path: string;
      /** The place `path` names, when a reader of a file decided (a config file's line). */
      readonly at?: Place;
      /** Extra explanation, e.g. "celery's prefork pool starts one process per CPU by default". */
      readonly why?: string;
      /** Which setting decided, where it is written, and its name (see `Cause`). */
      readonly cause?: Cause;
    }
  | {
      readonly outcome: 'unknown';
      readonly evidence: string;
      readonly path: string;
      readonly at?: Place;
      /** Why it cannot be known here, e.g. "WEB_CONCURRENCY comes from a Secret (valueFrom)". */
      readonly why: string;
      readonly cause?: Cause;
    }
  | {
      /** The server refuses the count (`--workers 0x4` to click's INT): it exits, the container does not start. */
      readonly outcome: 'refused';
      readonly evidence: string;
      readonly path: string;
      readonly at?: Place;
      /** Why the server refuses it, citing the server's own reading. */
      readonly why: string;
      /**
       * Set when only some versions refuse it: which ones, and what the others make of it, e.g.
       * "Puma 7.2 and later; earlier versions read it with to_i as 0, single mode".
       */
      readonly only?: string;
      /**
       * What happens instead, when the server does not exit with an error but still does not keep the
       * container running, e.g. thin's cluster mode: "thin starts 3 servers in the background and exits,
       * so …". Replaces the sentence about the server exiting with an error.
       */
      readonly consequence?: string;
      readonly cause?: Cause;
    };

/** One server family: how it is recognised and how its real implementation chooses its worker count. */
export interface ServerRule {
  /** Stable id used in findings and configuration, e.g. `uvicorn`. */
  readonly id: string;
  /** Human name, e.g. `Uvicorn`. */
  readonly title: string;
  readonly category: Category;
  /** True when this command starts this server (usually by argv[0]'s basename and a subcommand). */
  recognise(cmd: SimpleCommand): boolean;
  /** How many worker processes the server will start for this command. Must never throw. */
  decide(cmd: SimpleCommand): Decision;
  /**
   * For process managers (supervisord, pm2), which start copies of another program: that program's
   * command, when `cmd` names it. A finding about the copies then takes the category of the rule that
   * recognises the program — copies of a celery worker are a job worker's finding (a warning by
   * default), copies of a web server an error — so that every path honours the category.
   */
  launched?(cmd: SimpleCommand): SimpleCommand | undefined;
  /**
   * How to run it as one process, e.g. "drop `--workers 4` (or set `--workers 1`)". The engine adds
   * the general advice (replicas, HPA, Redis) and how to exempt.
   */
  fix(decision: Decision): string;
}
