/**
 * The engine: one container in, findings out. Every door (CLI, webhook, constructs, sources) calls
 * `checkContainer`. Pure: no IO, never throws for any input shape.
 */
import { findingKey } from './findings';
import { RULES } from './rules';
import type { Decision, ServerRule } from './rules/types';
import { SERVER_MENTION } from './servers/registry';
import { containerCommands, MAX_COMMANDS, WorkBudget } from './shell';

export { MAX_COMMANDS, WorkBudget };

import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from './names';
import {
  type Cause,
  envCause,
  fileLine,
  isFilePlace,
  lineOf,
  type Place,
  placeOf,
  placePath,
  wordCause,
} from './place';
import type { ShellProblem, SimpleCommand } from './shell/types';
import type { Category, Finding, Origin, Severity } from './types';

export { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION };
/** The last sentence of every finding's message; the constructs name their prop instead. */
export const EXEMPT_HINT = `To exempt it, annotate the workload with ${EXEMPT_ANNOTATION}: "<reason>".`;

export interface CheckOptions {
  /** The container's field path, e.g. `spec.template.spec.containers[0]`. Default `container`. */
  readonly path?: string;
  /** Severity of an error-level decision per category; `off` drops the category. */
  readonly severity?: Partial<Record<Category, Severity | 'off'>>;
  /** Copied into every finding. */
  readonly origin?: Origin;
  /**
   * The server rules to try, in order. Default: the built-in `RULES`. Lets a caller add its own
   * server family (or test a door with a rule of its own) without forking the engine.
   */
  readonly rules?: readonly ServerRule[];
  /**
   * The work budget shared by the containers of one review or object (src/shell/budget.ts): caps at
   * the kernel's limits, on words and text built, and on time. Default: one for this call.
   */
  readonly budget?: WorkBudget;
}

/** Default severity per category: web servers are errors, job-queue workers warnings (docs/rules.md). */
export const DEFAULT_SEVERITY: Record<Category, Severity | 'off'> = { web: 'error', queue: 'warning' };

/** Checks one Kubernetes container object (any JSON value). Never throws. */
export function checkContainer(container: unknown, options: CheckOptions = {}): Finding[] {
  const path = options.path ?? 'container';
  try {
    const budget = options.budget ?? new WorkBudget();
    const { commands, problems } = containerCommands(container, path, budget, { mentions: SERVER_MENTION });
    return checkCommands(commands, problems, options.budget ? options : { ...options, budget });
  } catch (err) {
    return [
      internalFinding(`oneproc failed to check this container (${String(err)})`, path, options.origin ?? {}),
    ];
  }
}

/**
 * Checks commands that a door has already read (a Dockerfile's ENTRYPOINT and CMD, the simple commands
 * of an entrypoint script, a config file made explicit): the same rules and findings as
 * `checkContainer`. Never throws.
 */
export function checkCommands(
  commands: readonly SimpleCommand[],
  problems: readonly ShellProblem[] = [],
  options: CheckOptions = {},
): Finding[] {
  const origin = options.origin ?? {};
  try {
    const findings: Finding[] = [];
    const rules = options.rules ?? RULES;
    // A real container runs a handful of commands; a script of tens of thousands is an attack or an
    // accident. Judge the first MAX_COMMANDS and say the rest was not read, so the time per container
    // stays bounded (the webhook answers within the API server's timeout).
    const judged = commands.length > MAX_COMMANDS ? commands.slice(0, MAX_COMMANDS) : commands;
    const seen = new Set<string>();
    for (const cmd of judged) {
      // Rules are cheap, but a review's time is checked per command all the same.
      const late = options.budget?.timeUp(cmd.argv[0]?.path ?? options.path ?? 'container');
      if (late !== undefined) {
        if (!problems.some((p) => p.limit && p.message === late)) {
          findings.push(
            limitFinding(late, cmd.argv[0]?.path ?? options.path ?? 'container', origin, cmd.argv[0]?.at),
          );
        }
        break;
      }
      // A rule that throws is a bug in oneproc, never a verdict: the command is reported as not judged
      // (`internal`), which enforce mode denies, instead of passing or becoming a mere warning.
      const at = cmd.argv[0]?.path ?? options.path ?? 'container';
      let rule: ServerRule | undefined;
      let decision: Decision | undefined;
      let failure: string | undefined;
      for (const candidate of rules) {
        try {
          if (!candidate.recognise(cmd)) continue;
          rule = candidate;
          decision = candidate.decide(cmd);
        } catch (err) {
          failure = `oneproc failed to judge this command with its ${candidate.id} rule (${String(err)})`;
        }
        break;
      }
      if (failure !== undefined) {
        findings.push(internalFinding(failure, at, origin, cmd.argv[0]?.at));
        continue;
      }
      let judged = cmd;
      if (!rule) {
        const through = safe(() => throughWrapper(cmd, rules), undefined);
        if (!through) continue;
        ({ rule, decision } = through);
        judged = through.inner;
      }
      if (!rule || !decision) continue;
      const finding = findingFor(rule, judged, decision, options);
      if (!finding) continue;
      // The same rule on the same field (a script that starts the same server twice) is one finding.
      const key = findingKey(finding);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(finding);
    }
    if (judged.length < commands.length) {
      findings.push(
        limitFinding(
          `the container runs more than ${MAX_COMMANDS.toLocaleString('en-US')} commands, oneproc's limit per container; the first ${MAX_COMMANDS.toLocaleString('en-US')} were judged`,
          commands[MAX_COMMANDS].argv[0]?.path ?? options.path ?? 'container',
          origin,
          commands[MAX_COMMANDS].argv[0]?.at,
        ),
      );
    }
    for (const problem of problems) {
      if (problem.limit) {
        findings.push(limitFinding(problem.message, problem.path, origin, problem.at));
        continue;
      }
      if (problem.internal) {
        findings.push(internalFinding(problem.message, problem.path, origin, problem.at));
        continue;
      }
      findings.push({
        rule: 'shell',
        category: 'web',
        severity: 'warning',
        message: `${problem.message}; oneproc cannot tell how many worker processes it starts.`,
        path: problem.path,
        ...placed(problem.at),
        workers: null,
        origin,
      });
    }
    return findings;
  } catch (err) {
    return [
      internalFinding(
        `oneproc failed to check this container (${String(err)})`,
        options.path ?? 'container',
        origin,
      ),
    ];
  }
}

/**
 * Programs whose arguments are data — names of files, packages or processes, text to print — never a
 * command they run: `pip install dramatiq`, `chmod +x /usr/local/bin/gunicorn`, `echo uvicorn …`.
 */
const NOT_WRAPPERS = new Set([
  'echo',
  'printf',
  'test',
  '[',
  '[[',
  'cat',
  'grep',
  'egrep',
  'fgrep',
  'sed',
  'awk',
  'cut',
  'tr',
  'head',
  'tail',
  'which',
  'type',
  'command',
  'hash',
  'whereis',
  'ls',
  'rm',
  'cp',
  'mv',
  'ln',
  'chmod',
  'chown',
  'chgrp',
  'mkdir',
  'touch',
  'install',
  'tee',
  'find',
  'stat',
  'file',
  'readlink',
  'realpath',
  'basename',
  'dirname',
  'kill',
  'pkill',
  'pgrep',
  'killall',
  'pidof',
  'ps',
  'sleep',
  'exit',
  'export',
  'set',
  'unset',
  'read',
  'cd',
  'pip',
  'pip3',
  'pipx',
  'uv',
  'poetry',
  'pipenv',
  'conda',
  'mamba',
  'micromamba',
  'apt-get',
  'apt',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'zypper',
  'dpkg',
  'rpm',
  'npm',
  'yarn',
  'pnpm',
  'gem',
  'bundle',
  'composer',
  'brew',
  'curl',
  'wget',
  'git',
  'tar',
  'unzip',
  'gzip',
  'logger',
  'getent',
  'id',
  'useradd',
  'adduser',
  'groupadd',
  'addgroup',
  'usermod',
  'update-alternatives',
  'systemctl',
  'service',
  'supervisorctl',
  'pm2-logrotate',
]);
/**
 * How many words after a wrapper are looked at, and how many of them are tried as the start of the
 * command it runs (each try asks every rule: the server's name comes first or after a few arguments).
 */
const MAX_WRAPPER_WORDS = 12;
const MAX_WRAPPER_TRIES = 4;
/**
 * What a wrapper looks like: a script or program named by a path (`/entrypoint.sh`, `./run`,
 * `bin/start`), a shell script (`*.sh`, or `sh SCRIPT …`), or a name that says it starts something (`docker-entrypoint`,
 * `start-server`, `run`, `launch`, `boot`, `wrapper`). Bare utilities (`mkdir`, `cd`, …) of a script
 * are not tried, so that reading a long script stays cheap.
 */
const WRAPPER_SHAPE = /\/|\.(?:ba)?sh$|^(?:ba|da|z|k|a)?sh$|entry|start|run|launch|boot|wrap|init|exec/i;
/** A word that can name a program: no option, assignment, address or module path. */
const PROGRAM_WORD = /^[A-Za-z_./][\w./-]*$/;

/**
 * `/entrypoint.sh gunicorn -w 4 app:app`: a program no rule knows (a script not visible here, a
 * wrapper the shell layer does not know), followed by words that start a server. Most such scripts
 * end in `exec "$@"`, so those words are what runs; but the script is not read here (where it is, the
 * image door follows it: src/sources/image.ts), so what the server would do is a warning naming the
 * wrapper. Nothing is said when the server would run one process.
 */
function throughWrapper(
  cmd: SimpleCommand,
  rules: readonly ServerRule[],
): { rule: ServerRule; decision: Decision; inner: SimpleCommand } | undefined {
  const first = cmd.argv[0];
  if (!first || first.unknown) return undefined;
  const name = first.text.slice(first.text.lastIndexOf('/') + 1);
  if (NOT_WRAPPERS.has(name) || name === '' || !WRAPPER_SHAPE.test(first.text)) return undefined;
  const end = Math.min(cmd.argv.length, MAX_WRAPPER_WORDS + 1);
  let tries = 0;
  for (let j = 1; j < end && tries < MAX_WRAPPER_TRIES; j++) {
    const word = cmd.argv[j];
    if (word.unknown || !PROGRAM_WORD.test(word.text)) continue;
    tries++;
    const wrapper = cmd.argv
      .slice(0, j)
      .map((w) => w.text)
      .join(' ');
    const inner: SimpleCommand = { ...cmd, argv: cmd.argv.slice(j), wrappers: [...cmd.wrappers, wrapper] };
    for (const rule of rules) {
      if (!rule.recognise(inner)) continue;
      const decision = rule.decide(inner);
      if (decision.outcome === 'single') return undefined;
      const then =
        decision.outcome === 'multiple'
          ? `${rule.title} starts ${decision.workers ?? 'several'} worker processes${decision.why ? ` (${decision.why})` : ''}`
          : decision.outcome === 'refused'
            ? `${rule.title} ${decision.consequence ? 'does not keep the container running' : 'refuses its worker count'} (${decision.why})`
            : `${rule.title}'s count cannot be known either (${decision.why})`;
      return {
        rule,
        inner,
        decision: {
          outcome: 'unknown',
          evidence: cmd.argv.map((w) => w.text).join(' '),
          path: decision.path,
          why:
            `\`${wrapper}\` runs the words after it, and oneproc cannot see what it does with them here; ` +
            `most such scripts end in \`exec "$@"\`, and then ${then}`,
        },
      };
    }
  }
  return undefined;
}

/** `{ at }` when the place is known, for a finding's spread. */
function placed(at: Place | undefined): { at?: Place } {
  return at ? { at } : {};
}

function internalFinding(what: string, path: string, origin: Origin, at?: Place): Finding {
  return {
    rule: 'internal',
    category: 'web',
    severity: 'warning',
    message: `${what}; please report this input.`,
    path,
    ...placed(at),
    workers: null,
    origin,
  };
}

/**
 * The finding for a container that could not be judged because a limit was reached: what the limit
 * is, that the worker count cannot be known, and how to exempt the workload.
 */
function limitFinding(why: string, path: string, origin: Origin, at?: Place): Finding {
  return {
    rule: 'limit',
    category: 'web',
    severity: 'warning',
    message:
      `oneproc stopped reading this container at a limit: ${why}. It cannot tell how many worker ` +
      `processes the container starts. To exempt it, annotate the workload with ${EXEMPT_ANNOTATION}: "<reason>".`,
    path,
    ...placed(at),
    workers: null,
    origin,
  };
}

/**
 * The finding for a rule's decision (undefined for `single`, or a category switched `off`): the message
 * says what was found, why it matters, how to fix it and how to exempt it.
 */
export function findingFor(
  rule: ServerRule,
  cmd: SimpleCommand,
  decision: Decision,
  options: CheckOptions = {},
): Finding | undefined {
  return toFinding(rule, cmd, decision, options, options.origin ?? {});
}

function toFinding(
  rule: ServerRule,
  cmd: SimpleCommand,
  decision: Decision,
  options: CheckOptions,
  origin: Origin,
): Finding | undefined {
  if (decision.outcome === 'single') return undefined;
  const category = categoryOf(rule, cmd, options.rules ?? RULES);
  const configured = options.severity?.[category] ?? DEFAULT_SEVERITY[category];
  if (configured === 'off') return undefined;
  const fix = safe(() => rule.fix(decision), '');
  const exempt = EXEMPT_HINT;
  const entry =
    (cmd.entrypointUnknown
      ? ' (the container sets only args, so this assumes the image ENTRYPOINT runs them as a command)'
      : '') + (cmd.when !== undefined ? ` (only when ${cmd.when})` : '');
  // The shared readers of options and variables (src/argv) say which setting decided; for a rule
  // that decides otherwise, the word or variable at the decision's place.
  const cause = decision.cause ?? safe(() => causeOf(cmd, decision), undefined);
  const because = { ...(cause ? { cause } : {}), ...placed(decisionPlace(cmd, decision, cause)) };
  const where = cause ? whereItIsSet(cause) : '';
  if (decision.outcome === 'multiple') {
    const count = decision.workers === null ? 'several' : String(decision.workers);
    const why = decision.why ? ` (${decision.why})` : '';
    return {
      rule: rule.id,
      category,
      severity: configured,
      message:
        `${rule.title} starts ${count} worker processes${why}: \`${decision.evidence}\`${entry}.${where} ` +
        'Each process has its own memory, so sessions, caches and counters differ between requests, and ' +
        'the autoscaler sees one opaque pod. ' +
        `Fix: ${fix ? `${fix}; ` : ''}run one process per container, scale with replicas or a HorizontalPodAutoscaler, ` +
        `and keep shared state in Redis. ${exempt}`,
      path: decision.path,
      workers: decision.workers,
      origin,
      ...because,
    };
  }
  if (decision.outcome === 'refused') {
    const head = decision.consequence
      ? `${rule.title} does not keep the container running${decision.only ? ` (${decision.only})` : ''}: `
      : `${rule.title} refuses its worker count${decision.only ? ` (${decision.only})` : ''}: `;
    return {
      rule: rule.id,
      category,
      severity: 'warning',
      message:
        head +
        `\`${decision.evidence}\`${entry} — ${decision.why}.${where} ` +
        (decision.consequence
          ? `${decision.consequence} `
          : 'The server exits with an error, so the container will not start as written. ') +
        `Fix: ${fix ? `${fix}; ` : ''}run one process per container and scale with replicas. ${exempt}`,
      path: decision.path,
      workers: null,
      origin,
      ...because,
    };
  }
  return {
    rule: rule.id,
    category,
    severity: 'warning',
    message:
      `${rule.title} worker count cannot be known here: \`${decision.evidence}\`${entry} — ${decision.why}.${where} ` +
      `If it can exceed 1, ${fix ? `${fix}; ` : ''}run one process per container and scale with replicas. ${exempt}`,
    path: decision.path,
    workers: null,
    origin,
    ...because,
  };
}

/**
 * Which setting decided, for a rule whose decision does not say: the variable or command-line word
 * at the decision's `path`, with the place its reader gave it. Undefined when no word of the command is
 * at that place (a count the server computes by itself is at the command: `default`).
 */
function causeOf(cmd: SimpleCommand, decision: Decision): Cause | undefined {
  if (decision.outcome === 'single' || !decision.path) return undefined;
  const path = decision.path;
  for (const e of cmd.env.values()) {
    if (e.path !== path) continue;
    const at = placeOf(e);
    return { kind: envCause(at), at, name: e.name };
  }
  const words = cmd.argv.filter((w) => w.path === path);
  if (words.length === 0) return undefined;
  // Several words of one line (a Dockerfile CMD): the one whose reader knows its characters, else the
  // one holding the count, else the line itself.
  const count =
    decision.outcome === 'multiple' && decision.workers !== null ? String(decision.workers) : undefined;
  const exact = words.find((w) => isFilePlace(w.at) && w.at.length !== undefined);
  const holding = count === undefined ? undefined : words.find((w) => w.text === count);
  const word = exact ?? holding ?? words[0];
  const index = cmd.argv.indexOf(word);
  const before = index > 0 ? cmd.argv[index - 1].text : '';
  const at = placeOf(word);
  if (index === 0) return { kind: 'default', at };
  const kind = wordCause(at);
  return { kind, at, ...(before.startsWith('-') ? { name: before } : {}) };
}

/**
 * The place a decision's `path` names: the reader's own (`Decision.at`), else the place of the word or
 * variable written there, else the cause's when it is at that path. Undefined for a path nothing
 * placed (a field of the Kubernetes object).
 */
function decisionPlace(cmd: SimpleCommand, decision: Decision, cause: Cause | undefined): Place | undefined {
  if (decision.outcome === 'single' || !decision.path) return undefined;
  if (decision.at) return lineOf(decision.at);
  const path = decision.path;
  for (const e of cmd.env.values()) if (e.path === path && e.at) return lineOf(e.at);
  for (const w of cmd.argv) if (w.path === path && w.at) return lineOf(w.at);
  if (cause && placePath(cause.at) === path) return lineOf(cause.at);
  return undefined;
}

/** Where the count is set, for a variable set in a file: a sentence naming the file, line and key. */
function whereItIsSet(cause: Cause): string {
  const at = cause.at;
  if (!isFilePlace(at)) return '';
  switch (cause.kind) {
    case 'compose-env':
      // A Dockerfile's `ENV NAME=$ARG` built with a compose `build.args` value (src/sources/dockerfile.ts).
      if (at.key?.includes('.build.args'))
        return ` ${cause.name} is set from a build argument, in ${fileLine(at)} at \`${at.key}\`.`;
      return ` ${cause.name} is set in ${fileLine(at)}, at \`${at.key ?? cause.name}\`.`;
    case 'dockerfile-env':
      return ` ${cause.name} is set by the ENV instruction at ${fileLine(at)}.`;
    case 'env-file':
      return ` ${cause.name} is set in the env file ${fileLine(at)}.`;
    default:
      return '';
  }
}

/**
 * The category a finding takes: the rule's own, or — for a process manager's copies of a program
 * (`numprocs`, `instances`) — that of the rule that recognises the program, so that copies of a job
 * worker warn like the job worker itself (DESIGN: severity per category, on every path).
 */
function categoryOf(rule: ServerRule, cmd: SimpleCommand, rules: readonly ServerRule[]): Category {
  const program = safe(() => rule.launched?.(cmd), undefined);
  if (!program) return rule.category;
  for (const other of rules) {
    if (other === rule) continue;
    if (safe(() => other.recognise(program), false)) return other.category;
  }
  return rule.category;
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
