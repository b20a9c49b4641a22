/**
 * What the project knows about one server family, in one place: `src/servers/<id>/spec.ts` holds its
 * facts as data, `rule.ts` its decision, `config.ts` (when it has one) the reader of its config files;
 * `src/servers/registry.ts` lists them in the order they are tried.
 */
import type { ServerRule } from '../rules/types';
import type { SourceExpander } from '../sources/types';
import type { Category } from '../types';

/**
 * The facts the ValidatingAdmissionPolicy needs (src/policy/cel.ts). Only the direct cases: the
 * container's `command` starts the server itself (or `python -m <module>`), and the worker count is a
 * literal number in a flag or in WEB_CONCURRENCY. Everything that needs the rule engine — `sh -c`
 * scripts, wrappers, `$(VAR)` expansion, config files, CPU-count defaults — is left to the webhook, so
 * that the policy never rejects what the webhook would admit.
 */
export interface PolicyFacts {
  /** The name in the policy's messages when it is not the server's title (`fastapi run`). */
  readonly title?: string;
  /** argv[0] basenames when not all of the spec's `programs` start the server directly (`pm2 start`). */
  readonly programs?: readonly string[];
  /** A subcommand that must follow the program (`fastapi run`); absent when none is needed. */
  readonly subcommand?: string;
  /** Long worker-count options, accepted as `--workers 4` and `--workers=4`. */
  readonly longFlags: readonly string[];
  /** Short worker-count options, accepted as `-w 4` and (unless `shortGlued` is false) `-w4`. */
  readonly shortFlags: readonly string[];
  /** False when a glued short option means something else (pm2's `-i3` is CPUs−3). Default true. */
  readonly shortGlued?: boolean;
  /**
   * True when WEB_CONCURRENCY alone (no worker flag) decides the count: the server reads it and no
   * configuration file the image may hold can override it.
   */
  readonly webConcurrency: boolean;
  /** Tokens (exact, or as a prefix followed by `=`) that make the count something else, e.g. `--reload`. */
  readonly disqualifyingOptions: readonly string[];
  /** Environment variables that override or disable the count, e.g. `UVICORN_WORKERS`. */
  readonly disqualifyingEnv: readonly string[];
  /** A regular expression (RE2) for tokens that make the count unknowable, e.g. pm2's ecosystem files. */
  readonly disqualifyingToken?: string;
  /** True when argv[1] must be an option: any subcommand (`odoo shell`) is not the server. */
  readonly noSubcommand?: boolean;
}

/** One server family's facts, as data. */
export interface ServerSpec {
  /** Stable id used in findings, configuration, fixtures (`test/fixtures/servers/<id>/`) and docs. */
  readonly id: string;
  /** Human name, e.g. `Uvicorn`. */
  readonly title: string;
  readonly category: Category;
  /**
   * argv[0] basenames that are the server (after launchers: `python -m X`, `bundle exec X`, `npx X`),
   * aliases and distribution names included (`gunicorn3`, `openerp-server`).
   */
  readonly programs: readonly string[];
  /**
   * A family of program names that a list cannot hold (`uwsgi_python3`, `php8.2-fpm`): a regular
   * expression source, anchored, written for RE2 as well as JavaScript.
   */
  readonly programPattern?: string;
  /** Programs that start the server only with a subcommand or a script (`rails server`, `airflow celery worker`). */
  readonly hosts?: readonly string[];
  /** Modules that start it as `python -m <module>`. */
  readonly pythonModules?: readonly string[];
  /**
   * Words that show a shell script starts this server, beyond `programs` and `pythonModules`
   * (`octane:start`); `false` when a mention means nothing (the out-of-scope servers).
   */
  readonly mentions?: readonly string[] | false;
  /** Present when the ValidatingAdmissionPolicy recognises the server's direct cases. */
  readonly policy?: PolicyFacts;
}

/**
 * A server's config reader. A function of the whole list of readers, because some config files
 * start other commands that the other readers then read (pm2's ecosystem files), and of the words
 * that show a script starts a server (the registry's `SERVER_MENTION`), for a reader that hands the
 * shell reader commands whose unreadable lines it reports (supervisord's `command=`).
 */
export type ConfigReader = (all: () => readonly SourceExpander[], mentions: RegExp) => SourceExpander;

/** One entry of the registry: a server's spec, its rule and its config reader. */
export interface Server {
  readonly spec: ServerSpec;
  readonly rule: ServerRule;
  readonly config?: ConfigReader;
}
