/**
 * CEL for the ValidatingAdmissionPolicy, generated from the server table in `servers.ts`.
 *
 * Every expression is written so that it cannot fail at run time on any object the API server admits
 * (fields are guarded with `has`, numbers are matched as text, never converted), and so that it flags
 * only what the rule engine reports as an error: when in doubt, it admits and leaves the case to the
 * webhook. test/install/policy.test.ts holds it to that over the engine's rule fixtures.
 */
import { TEMPLATE_CONTROLLER_USERNAMES, TEMPLATE_OWNERS } from '../manifest/controllers';
import { EXEMPT_ANNOTATION } from '../names';
import { POLICY_SERVERS, type PolicyServer } from './servers';

/**
 * Tokens are joined with the ASCII unit separator, which never appears in a command line, so that one
 * regular expression can look at an option and the token after it.
 */
const SEP = '\\u001f';

/**
 * A literal worker count above 1, as plain decimal text: `2`, `16`. A leading zero is left to the webhook's
 * engine, because servers read it differently — `04` is 4 for Python's `int()` (uvicorn, gunicorn), `010`
 * is 8 and `08` is refused for optparse (odoo), and `int(x, 0)` refuses both — and the policy must never
 * reject what the engine admits.
 */
const ABOVE_ONE = '([2-9]|[1-9][0-9]+)';

/** A CEL string literal. Backslashes pass through on purpose: the callers write CEL escapes. */
function quote(text: string): string {
  if (text.includes("'")) throw new Error(`cannot quote ${JSON.stringify(text)} as a CEL string`);
  return `'${text}'`;
}

function list(items: readonly string[]): string {
  return `[${items.map(quote).join(', ')}]`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

/** argv[0] is the server (by basename), or `python -m <module>`; then the subcommand, if any. */
function startsServer(server: PolicyServer): string {
  const names = server.programs.map(escapeRegex).join('|');
  let test = `a[0].matches(${quote(`^(.*/)?(${names})$`)})`;
  if (server.pythonModules?.length) {
    test =
      `(${test} || (size(a) > 2 && a[0].matches('^(.*/)?python[0-9.]*$') && a[1] == '-m' && ` +
      `a[2] in ${list(server.pythonModules)}))`;
  }
  if (server.subcommand) test += ` && size(a) > 1 && a[1] == ${quote(server.subcommand)}`;
  if (server.noSubcommand) test += " && size(a) > 1 && a[1].startsWith('-')";
  return test;
}

/** How many tokens set the worker count (any spelling, literal or not). */
function flagOccurrences(server: PolicyServer): string {
  const tests = [
    ...server.longFlags.map((f) => `t == ${quote(f)} || t.startsWith(${quote(`${f}=`)})`),
    ...server.shortFlags.map((f) => `t.startsWith(${quote(f)})`),
  ];
  return `a.filter(t, ${tests.join(' || ')}).size()`;
}

/**
 * A token that cannot be an option waiting for its value: argv[0], a positional or value (not starting
 * with `-`), or an option that carries its value after `=`. The worker option must follow one, so that
 * `--name -w4` (where `-w4` is the name) is never read as a count.
 */
const PLAIN_TOKEN = `([^-${SEP}][^${SEP}]*|-[^${SEP}]*=[^${SEP}]*)`;

/** One worker-count option, with a literal count above 1 (`--workers 4`, `--workers=4`, `-w 4`, `-w4`). */
function literalFlag(server: PolicyServer): string {
  const forms = [
    ...server.longFlags.map((f) => `${escapeRegex(f)}(${SEP}|=)`),
    ...server.shortFlags.map((f) => `${escapeRegex(f)}${server.shortGlued === false ? SEP : `(${SEP})?`}`),
  ];
  return `s.matches(${quote(`(^|${SEP})${PLAIN_TOKEN}${SEP}(${forms.join('|')})${ABOVE_ONE}(${SEP}|$)`)})`;
}

/** No worker option at all, and exactly one WEB_CONCURRENCY, literal and above 1, nothing from envFrom. */
function literalWebConcurrency(server: PolicyServer): string {
  return (
    `${flagOccurrences(server)} == 0 && !has(c.envFrom) && has(c.env) && ` +
    `c.env.filter(v, v.name == 'WEB_CONCURRENCY').size() == 1 && ` +
    `c.env.exists(v, v.name == 'WEB_CONCURRENCY' && has(v.value) && v.value.matches(${quote(`^${ABOVE_ONE}$`)}))`
  );
}

function disqualified(server: PolicyServer): string[] {
  // After `--`, options belong to the application (`pm2-runtime start app.js -- -i 4`).
  const out: string[] = ["!('--' in a)"];
  if (server.disqualifyingToken) out.push(`!a.exists(t, t.matches(${quote(server.disqualifyingToken)}))`);
  if (server.disqualifyingOptions.length) {
    const tests = server.disqualifyingOptions.map(
      (o) => `t == ${quote(o)} || t.startsWith(${quote(`${o}=`)})`,
    );
    out.push(`!a.exists(t, ${tests.join(' || ')})`);
  }
  if (server.disqualifyingEnv.length) {
    out.push(`!(has(c.env) && c.env.exists(v, v.name in ${list(server.disqualifyingEnv)}))`);
  }
  return out;
}

/** True when argv `a` (joined as `s`) of container `c` starts this server with more than one worker. */
export function serverExpression(server: PolicyServer): string {
  const count = `(${flagOccurrences(server)} == 1 && ${literalFlag(server)})`;
  const counts = server.webConcurrency ? `(${count} || (${literalWebConcurrency(server)}))` : count;
  return `(${[startsServer(server), ...disqualified(server), counts].join(' && ')})`;
}

/**
 * True when container `c` starts one of the servers with a literal worker count above 1 in its own
 * command line or environment. Only containers that set `command` are judged: with `args` alone the
 * image's ENTRYPOINT runs first, and the policy cannot see it.
 */
export function containerExpression(servers: readonly PolicyServer[] = POLICY_SERVERS): string {
  const any = servers.map(serverExpression).join(' || ');
  return (
    `has(c.command) && size(c.command) > 0 && ` +
    `[c.command + (has(c.args) ? c.args : [])].exists(a, [a.join('${SEP}')].exists(s, ${any}))`
  );
}

/** The pod template of the admitted object (the object itself for a Pod). */
export const TEMPLATE_EXPRESSION =
  "request.kind.kind == 'Pod' ? object : " +
  "(request.kind.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template)";

/** Long-running containers: `containers` and restartable init containers (`restartPolicy: Always`). */
export const CONTAINERS_EXPRESSION =
  '(has(variables.template.spec.containers) ? variables.template.spec.containers : []) + ' +
  '(has(variables.template.spec.initContainers) ? variables.template.spec.initContainers.filter(c, ' +
  "has(c.restartPolicy) && c.restartPolicy == 'Always') : [])";

/**
 * The exemption annotation on the object or on its pod template. Any value exempts here, and
 * `oneproc.dev/allow-until` is not read (CEL has no clock in admission): the webhook applies both
 * precisely, the policy only errs towards admitting.
 */
export const EXEMPT_EXPRESSION =
  `(has(object.metadata.annotations) && ${quote(EXEMPT_ANNOTATION)} in object.metadata.annotations) || ` +
  `(has(variables.template.metadata) && has(variables.template.metadata.annotations) && ` +
  `${quote(EXEMPT_ANNOTATION)} in variables.template.metadata.annotations)`;

/**
 * True unless the request comes from a built-in controller copying a checked template (see
 * src/manifest/controllers.ts, which the webhook's review applies too): the sender's identity decides,
 * since anyone who may create a Pod can write an ownerReference.
 */
export const CREATED_FROM_TEMPLATE_CONDITION =
  `!(request.userInfo.username in ${list(TEMPLATE_CONTROLLER_USERNAMES)} && ` +
  'has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r, ' +
  'has(r.controller) && r.controller == true && (' +
  TEMPLATE_OWNERS.map(
    (o) =>
      `(r.apiVersion == ${quote(o.apiVersion)} && ` +
      (o.kinds.length === 1 ? `r.kind == ${quote(o.kinds[0])})` : `r.kind in ${list(o.kinds)})`),
  ).join(' || ') +
  ')))';

/** Requests that are never judged (the same reasons as the webhook's matchConditions in the chart). */
export const MATCH_CONDITIONS: ReadonlyArray<{ name: string; expression: string }> = [
  { name: 'not-being-deleted', expression: '!has(object.metadata.deletionTimestamp)' },
  {
    name: 'not-a-mirror-pod',
    expression: "!(request.kind.kind == 'Pod' && request.userInfo.username.startsWith('system:node:'))",
  },
  { name: 'not-created-from-a-checked-template', expression: CREATED_FROM_TEMPLATE_CONDITION },
];
