/**
 * The engine: one container in, findings out. Every door (CLI, webhook, constructs, sources) calls
 * `checkContainer`. Pure: no IO, never throws for any input shape.
 */
import { RULES } from './rules';
import type { Decision, ServerRule } from './rules/types';
import { containerCommands, MAX_COMMANDS } from './shell';

export { MAX_COMMANDS };

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
}

/** Default severity per category: web servers are errors, job-queue workers warnings (docs/rules.md). */
export const DEFAULT_SEVERITY: Record<Category, Severity | 'off'> = { web: 'error', queue: 'warning' };

/** Checks one Kubernetes container object (any JSON value). Never throws. */
export function checkContainer(container: unknown, options: CheckOptions = {}): Finding[] {
  const path = options.path ?? 'container';
  try {
    const { commands, problems } = containerCommands(container, path);
    return checkCommands(commands, problems, options);
  } catch (err) {
    return [internalFinding(err, path, options.origin ?? {})];
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
      const rule = rules.find((r) => safe(() => r.recognise(cmd), false));
      if (!rule) continue;
      const decision = safe<Decision>(() => rule.decide(cmd), {
        outcome: 'unknown',
        evidence: cmd.argv.map((w) => w.text).join(' '),
        path: cmd.argv[0]?.path ?? options.path ?? 'container',
        why: 'oneproc could not read this command line',
      });
      const finding = findingFor(rule, cmd, decision, options);
      if (!finding) continue;
      // The same verdict on the same field (a script that starts the same server twice) is one finding.
      const key = `${finding.rule}|${finding.path}|${finding.severity}|${finding.workers}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(finding);
    }
    if (judged.length < commands.length) {
      findings.push({
        rule: 'shell',
        category: 'web',
        severity: 'warning',
        message: `This container runs more than ${MAX_COMMANDS} commands; oneproc judged the first ${MAX_COMMANDS} and cannot tell how many worker processes the rest start.`,
        path: commands[MAX_COMMANDS].argv[0]?.path ?? options.path ?? 'container',
        workers: null,
        origin,
      });
    }
    for (const problem of problems) {
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
    return [internalFinding(err, options.path ?? 'container', origin)];
  }
}

function internalFinding(err: unknown, path: string, origin: Origin): Finding {
  return {
    rule: 'internal',
    category: 'web',
    severity: 'warning',
    message: `oneproc failed to check this container (${String(err)}); please report this input.`,
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
  const entry = cmd.entrypointUnknown
    ? ' (the container sets only args, so this assumes the image ENTRYPOINT runs them as a command)'
    : '';
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
