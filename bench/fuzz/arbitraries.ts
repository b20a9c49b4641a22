/**
 * Inputs for the engine's robustness checks: any JSON value, and container-shaped objects built from
 * the words that reach deep into the shell reader and the rules (server names, count options, shell
 * syntax, Kubernetes `$(VAR)` references), mixed with arbitrary values where a well-formed manifest
 * would have strings. Shared by test/engine.property.test.ts (bounded runs) and bench/fuzz/engine.ts.
 */
import fc from 'fast-check';

/** Words a real container's command line is made of, chosen to exercise recognition and counting. */
const VOCABULARY = [
  // servers and launchers
  'uvicorn',
  'gunicorn',
  'hypercorn',
  'granian',
  'uwsgi',
  'fastapi',
  'sanic',
  'daphne',
  'waitress-serve',
  'celery',
  'dramatiq',
  'rq',
  'pm2',
  'pm2-runtime',
  'puma',
  'unicorn',
  'passenger',
  'php',
  'artisan',
  'octane:start',
  'odoo',
  'node',
  'npx',
  'nginx',
  'php-fpm',
  'httpd',
  'sidekiq',
  'worker',
  'run',
  'start',
  '/usr/local/bin/gunicorn',
  '/app/.venv/bin/uvicorn',
  'python',
  'python3',
  '-m',
  'uv',
  'poetry',
  'pipenv',
  // wrappers and shells
  'sh',
  'bash',
  '/bin/sh',
  '-c',
  '-lc',
  '-ec',
  'exec',
  'env',
  '-i',
  'nohup',
  'tini',
  'dumb-init',
  'gosu',
  'su-exec',
  'app',
  'opentelemetry-instrument',
  'ddtrace-run',
  'newrelic-admin',
  'run-program',
  'doppler',
  '--',
  // count options and values
  '--workers',
  '-w',
  '-w4',
  '-w=4',
  '--workers=4',
  '--workers=',
  '-p',
  '--processes',
  '--processes=8',
  '-c',
  '--concurrency',
  '-P',
  '--pool',
  'solo',
  'prefork',
  'threads',
  'gevent',
  '-i',
  'max',
  '-1',
  '0',
  '1',
  '2',
  '4',
  '64',
  '999999999999999999999',
  '-0',
  '1e3',
  '0x10',
  '4.5',
  'NaN',
  '--threads',
  '8',
  '--reload',
  '--fast',
  '--cheaper',
  '2',
  '--master',
  '-M',
  '--ini',
  'uwsgi.ini',
  '--config',
  'gunicorn.conf.py',
  '-k',
  'gthread',
  '--worker-class',
  '--bind',
  '0.0.0.0:8000',
  'main:app',
  'app.js',
  // variables, substitutions and shell syntax
  '$(WORKERS)',
  '$$(WORKERS)',
  '$(',
  '$((2*$(nproc)+1))',
  '$(nproc)',
  '`nproc`',
  '$WORKERS',
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not templates
  '${WORKERS}',
  '${WORKERS:-4}',
  '${WORKERS:?}',
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not templates
  '"$@"',
  "'4'",
  '"4"',
  '&&',
  '||',
  ';',
  '|',
  '&',
  '\n',
  '(',
  ')',
  '{',
  '}',
  '<',
  '>',
  '2>&1',
  '#',
  '\\',
  "'",
  '"',
  '=',
  'WEB_CONCURRENCY=4',
  'A=B',
] as const;

const word: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('--workers=', '-w', '-p', '-c', '-i', '$(', '${'),
        fc.constantFrom(...VOCABULARY),
      )
      .map(([a, b]) => a + b),
  },
);

/** A `sh -c` script: words joined by spaces, so that quoting and operators land anywhere. */
const script: fc.Arbitrary<string> = fc.array(word, { maxLength: 24 }).map((ws) => ws.join(' '));

/** Where a manifest has a string, sometimes anything else (YAML's `- 4`, null, nested objects). */
const item: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: word },
  { weight: 3, arbitrary: script },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const envName = fc.oneof(
  fc.constantFrom(
    'WEB_CONCURRENCY',
    'WORKERS',
    'UVICORN_WORKERS',
    'GUNICORN_CMD_ARGS',
    'UWSGI_PROCESSES',
    'UWSGI_WORKERS',
    'GRANIAN_WORKERS',
    'CELERY_WORKER_CONCURRENCY',
    'PM2_INSTANCES',
    'PORT',
    'nproc',
  ),
  fc.string({ maxLength: 8 }),
);

const envEntry: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ name: envName, value: fc.oneof(word, script) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      name: envName,
      valueFrom: fc.constantFrom(
        { secretKeyRef: { name: 's', key: 'k' } },
        { configMapKeyRef: { name: 'c', key: 'k' } },
        { resourceFieldRef: { resource: 'limits.cpu' } },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Objects shaped like a Kubernetes container, with fields sometimes missing or of the wrong type. */
export const containerLike: fc.Arbitrary<unknown> = fc.record(
  {
    name: fc.oneof(fc.constant('app'), fc.jsonValue({ maxDepth: 1 })),
    image: fc.constantFrom('python:3.12', 'node:20', 'ruby:3.3'),
    command: fc.oneof(
      { weight: 8, arbitrary: fc.array(item, { maxLength: 10 }) },
      {
        weight: 3,
        arbitrary: fc.tuple(
          fc.constantFrom('sh', 'bash', '/bin/sh'),
          fc.constantFrom('-c', '-lc', '-ec'),
          script,
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    args: fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: 10 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    env: fc.oneof(
      { weight: 6, arbitrary: fc.array(envEntry, { maxLength: 6 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    envFrom: fc.constant([{ configMapRef: { name: 'settings' } }]),
    workingDir: fc.constant('/app'),
  },
  { requiredKeys: ['name'] },
);

/** Any JSON value (what a YAML or JSON document can hold), including deep and wide ones. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 6 });

/** Both kinds, the container-shaped ones more often: random JSON rarely reaches a rule. */
export const engineInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: containerLike },
  { weight: 1, arbitrary: anyJson },
);
