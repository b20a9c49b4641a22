/**
 * The engine: one container in, findings out. Every door (CLI, webhook, constructs, sources) calls
 * `checkContainer`. Pure: no IO, never throws for any input shape.
 */
import { RULES } from './rules';
import type { Decision, ServerRule } from './rules/types';
import { containerCommands, MAX_COMMANDS, WorkBudget } from './shell';

export { MAX_COMMANDS, WorkBudget };

import type { ShellProblem, SimpleCommand } from './shell/types';
import type { Category, Finding, Origin, Severity } from './types';

export const EXEMPT_ANNOTATION = 'oneproc.dev/allow-multiple-workers';
export const EXEMPT_UNTIL_ANNOTATION = 'oneproc.dev/allow-until';
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
    const { commands, problems } = containerCommands(container, path, budget);
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
          findings.push(limitFinding(late, cmd.argv[0]?.path ?? options.path ?? 'container', origin));
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
        findings.push(internalFinding(failure, at, origin));
        continue;
      }
      if (!rule || !decision) continue;
      const finding = findingFor(rule, cmd, decision, options);
      if (!finding) continue;
      // The same verdict on the same field (a script that starts the same server twice) is one finding.
      const key = `${finding.rule}|${finding.path}|${finding.severity}|${finding.workers}`;
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
        ),
      );
    }
    for (const problem of problems) {
      if (problem.limit) {
        findings.push(limitFinding(problem.message, problem.path, origin));
        continue;
      }
      if (problem.internal) {
        findings.push(internalFinding(problem.message, problem.path, origin));
        continue;
      }
      findings.push({
        rule: 'shell',
        category: 'web',
        severity: 'warning',
        message: `${problem.message}; oneproc cannot tell how many worker processes it starts.`,
        path: problem.path,
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

function internalFinding(what: string, path: string, origin: Origin): Finding {
  return {
    rule: 'internal',
    category: 'web',
    severity: 'warning',
    message: `${what}; please report this input.`,
    path,
    workers: null,
    origin,
  };
}

/**
 * The finding for a container that could not be judged because a limit was reached: what the limit
 * is, that the worker count cannot be known, and how to exempt the workload.
 */
function limitFinding(why: string, path: string, origin: Origin): Finding {
  return {
    rule: 'limit',
    category: 'web',
    severity: 'warning',
    message:
      `oneproc stopped reading this container at a limit: ${why}. It cannot tell how many worker ` +
      `processes the container starts. To exempt it, annotate the workload with ${EXEMPT_ANNOTATION}: "<reason>".`,
    path,
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
  const configured = options.severity?.[rule.category] ?? DEFAULT_SEVERITY[rule.category];
  if (configured === 'off') return undefined;
  const fix = safe(() => rule.fix(decision), '');
  const exempt = EXEMPT_HINT;
  const entry =
    (cmd.entrypointUnknown
      ? ' (the container sets only args, so this assumes the image ENTRYPOINT runs them as a command)'
      : '') + (cmd.when !== undefined ? ` (only when ${cmd.when})` : '');
  if (decision.outcome === 'multiple') {
    const count = decision.workers === null ? 'several' : String(decision.workers);
    const why = decision.why ? ` (${decision.why})` : '';
    return {
      rule: rule.id,
      category: rule.category,
      severity: configured,
      message:
        `${rule.title} starts ${count} worker processes${why}: \`${decision.evidence}\`${entry}. ` +
        'Each process has its own memory, so sessions, caches and counters differ between requests, and ' +
        'the autoscaler sees one opaque pod. ' +
        `Fix: ${fix ? `${fix}; ` : ''}run one process per container, scale with replicas or a HorizontalPodAutoscaler, ` +
        `and keep shared state in Redis. ${exempt}`,
      path: decision.path,
      workers: decision.workers,
      origin,
    };
  }
  if (decision.outcome === 'refused') {
    return {
      rule: rule.id,
      category: rule.category,
      severity: 'warning',
      message:
        `${rule.title} refuses its worker count${decision.only ? ` (${decision.only})` : ''}: ` +
        `\`${decision.evidence}\`${entry} — ${decision.why}. ` +
        'The server exits with an error, so the container will not start as written. ' +
        `Fix: ${fix ? `${fix}; ` : ''}run one process per container and scale with replicas. ${exempt}`,
      path: decision.path,
      workers: null,
      origin,
    };
  }
  return {
    rule: rule.id,
    category: rule.category,
    severity: 'warning',
    message:
      `${rule.title} worker count cannot be known here: \`${decision.evidence}\`${entry} — ${decision.why}. ` +
      `If it can exceed 1, ${fix ? `${fix}; ` : ''}run one process per container and scale with replicas. ${exempt}`,
    path: decision.path,
    workers: null,
    origin,
  };
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
