/**
 * The servers the ValidatingAdmissionPolicy recognises, as data. Only the direct cases: the container's
 * `command` starts the server itself (or `python -m <module>`), and the worker count is a literal number
 * in a flag or in WEB_CONCURRENCY. Everything that needs the rule engine — `sh -c` scripts, wrappers,
 * `$(VAR)` expansion, config files, CPU-count defaults — is left to the webhook, so that the policy never
 * rejects what the webhook would admit.
 */

export interface PolicyServer {
  /** Rule id, as in `src/rules/` (e.g. `uvicorn`). */
  readonly id: string;
  readonly title: string;
  /** Basenames of argv[0] that start the server (`uvicorn`, `gunicorn`). */
  readonly programs: readonly string[];
  /** Module names accepted after `python -m`. */
  readonly pythonModules?: readonly string[];
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

export const POLICY_SERVERS: readonly PolicyServer[] = [
  {
    id: 'uvicorn',
    title: 'uvicorn',
    programs: ['uvicorn'],
    pythonModules: ['uvicorn'],
    longFlags: ['--workers'],
    shortFlags: [],
    // uvicorn reads WEB_CONCURRENCY when --workers is absent and has no config file.
    webConcurrency: true,
    // --reload runs one process whatever --workers says; --env-file may set the variables below.
    disqualifyingOptions: ['--reload', '--env-file'],
    disqualifyingEnv: ['UVICORN_WORKERS', 'UVICORN_RELOAD'],
  },
  {
    id: 'fastapi',
    title: 'fastapi run',
    programs: ['fastapi'],
    subcommand: 'run',
    longFlags: ['--workers'],
    shortFlags: [],
    // `fastapi run` passes workers=None to uvicorn, which then reads WEB_CONCURRENCY.
    webConcurrency: true,
    disqualifyingOptions: ['--reload'],
    disqualifyingEnv: [],
  },
  {
    id: 'gunicorn',
    title: 'gunicorn',
    programs: ['gunicorn'],
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    // WEB_CONCURRENCY is only gunicorn's default: ./gunicorn.conf.py in the image may override it.
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
  },
  {
    id: 'hypercorn',
    title: 'hypercorn',
    programs: ['hypercorn'],
    pythonModules: ['hypercorn'],
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    webConcurrency: false,
    disqualifyingOptions: ['--reload'],
    disqualifyingEnv: [],
  },
  {
    id: 'granian',
    title: 'granian',
    programs: ['granian'],
    longFlags: ['--workers'],
    shortFlags: [],
    webConcurrency: false,
    disqualifyingOptions: ['--reload'],
    disqualifyingEnv: ['GRANIAN_WORKERS'],
  },
  {
    id: 'uwsgi',
    title: 'uWSGI',
    programs: ['uwsgi'],
    longFlags: ['--processes', '--workers'],
    shortFlags: ['-p'],
    webConcurrency: false,
    // Options apply in order, so a config file named on the command line may come later and win.
    disqualifyingOptions: ['--ini', '--yaml', '--json', '--xml', '--include', '--config'],
    disqualifyingEnv: ['UWSGI_PROCESSES', 'UWSGI_WORKERS', 'UWSGI_INI'],
  },
  {
    id: 'sanic',
    title: 'Sanic',
    programs: ['sanic'],
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    webConcurrency: false,
    disqualifyingOptions: ['--single-process', '--dev', '--debug', '--reload', '--auto-reload', '-r', '-d'],
    disqualifyingEnv: [],
  },
  {
    id: 'puma',
    title: 'Puma',
    programs: ['puma'],
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    // WEB_CONCURRENCY is only Puma's default: config/puma.rb in the image may override it.
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
  },
  {
    id: 'pm2',
    title: 'pm2-runtime',
    programs: ['pm2-runtime'],
    longFlags: ['--instances'],
    shortFlags: ['-i'],
    // `-i3` means CPUs−3 (commander splits it), so only the separate `-i 3` form is a literal count.
    shortGlued: false,
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
    // An ecosystem/process file decides the instances itself and pm2 ignores -i then.
    disqualifyingToken: '(^|/)(ecosystem[^/]*|[^/]*[.](json|ya?ml|config[.]c?js))$',
  },
  {
    id: 'odoo',
    title: 'Odoo',
    programs: ['odoo', 'odoo-bin', 'openerp-server'],
    // `odoo shell`, `odoo scaffold`, … are not the server.
    noSubcommand: true,
    longFlags: ['--workers'],
    shortFlags: [],
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
  },
];
