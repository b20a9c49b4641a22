/**
 * `oneproc check --format sarif`: SARIF 2.1.0 for code scanning (GitHub's upload-sarif action and
 * others). One run; one rule descriptor per server id found (with help text); each result points at the file, line and column of the
 * decisive field so the annotation lands on `--workers 4` itself.
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * @see https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Fix, Location, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import type { InputError } from '../manifest';
import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from '../names';
import { isFilePlace } from '../place';
import { RULES } from '../rules';
import type { ServerRule } from '../rules/types';
import type { Finding, Note } from '../types';
import { VERSION } from '../version';
import { safeJson } from './escape';

export interface SarifOptions {
  /** URIs are written relative to this folder (the repository root in CI). */
  readonly cwd: string;
  /** Inputs that could not be read: reported as tool execution notifications. */
  readonly inputErrors: readonly InputError[];
  /** Where rule titles come from. Default: the built-in rules. */
  readonly rules?: readonly ServerRule[];
  /** What could not be followed: results of level `note` under the `not-followed` rule. */
  readonly notes?: readonly Note[];
  /** The edits that fix a finding (`oneproc fix`), as SARIF `fixes`; undefined when there are none. */
  readonly fixes?: (finding: Finding) => Fix[] | undefined;
}

/** The rule id of notes in SARIF (a result needs a rule; notes never fail the check). */
export const NOT_FOLLOWED = 'not-followed';

/** The base id for relative URIs; GitHub resolves it against the checkout. */
const SRCROOT = '%SRCROOT%';
/** How `oneproc check` names standard input: it has no file to annotate. */
export const STDIN_NAME = '<stdin>';

interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly category: 'web' | 'queue';
}

/** The engine's own finding ids, beside the server families'. */
const ENGINE_RULES: readonly RuleInfo[] = [
  { id: 'shell', title: 'an unreadable command line', category: 'web' },
  { id: 'internal', title: 'an input oneproc failed to read', category: 'web' },
  { id: 'limit', title: 'a container read up to a limit', category: 'web' },
];

/** One descriptor per rule id the findings use, in order of first use. */
function referencedRules(findings: readonly Finding[], known: readonly ServerRule[]): RuleInfo[] {
  const rules: RuleInfo[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    if (seen.has(f.rule)) continue;
    seen.add(f.rule);
    const info = known.find((r) => r.id === f.rule) ?? ENGINE_RULES.find((r) => r.id === f.rule);
    rules.push(
      info
        ? { id: info.id, title: info.title, category: info.category }
        : { id: f.rule, title: f.rule, category: f.category },
    );
  }
  return rules;
}

function describeRule(rule: RuleInfo): ReportingDescriptor {
  if (rule.id === NOT_FOLLOWED) {
    const text =
      'A file, script or launcher that oneproc could not follow to its end (not in the image, outside the build context, a template, a file it does not read). What it starts was not checked; the note says why and where.';
    return {
      id: rule.id,
      name: 'NotFollowed',
      shortDescription: { text: 'oneproc could not follow this' },
      fullDescription: { text },
      help: { text },
      defaultConfiguration: { level: 'note' },
      properties: { tags: ['kubernetes', 'workers'] },
    };
  }
  const engineRule = ENGINE_RULES.some((r) => r.id === rule.id);
  const short = engineRule
    ? `The worker count of ${rule.title} cannot be known`
    : `${rule.title} started with more than one worker process`;
  const why =
    rule.category === 'queue'
      ? 'Job-queue workers with several processes split memory too, and their one-process-per-CPU defaults misfire in containers, where the CPU count is the node’s, not the limit.'
      : 'Each worker process has its own memory, so sessions, caches and rate-limit counters differ between requests, and the HorizontalPodAutoscaler, CPU requests and readiness see one opaque pod.';
  const fix =
    'Run one process per container (drop the worker-count option, or set it to 1), scale with replicas or a HorizontalPodAutoscaler behind a Service, and keep shared state in Redis.';
  const exempt = `To exempt a workload, annotate it or its pod template with ${EXEMPT_ANNOTATION}: "<reason>" (optionally ${EXEMPT_UNTIL_ANNOTATION}: "YYYY-MM-DD").`;
  return {
    id: rule.id,
    name: rule.id.replace(/(^|[-_])(\w)/g, (_m, _s, c: string) => c.toUpperCase()),
    shortDescription: { text: short },
    fullDescription: { text: `${short}. ${why}` },
    help: {
      text: `${why}\n\nFix: ${fix}\n\n${exempt}`,
      markdown: `${why}\n\n**Fix:** ${fix}\n\n${exempt.replace(EXEMPT_ANNOTATION, `\`${EXEMPT_ANNOTATION}\``)}`,
    },
    defaultConfiguration: { level: rule.category === 'queue' || engineRule ? 'warning' : 'error' },
    properties: { tags: ['kubernetes', 'workers', rule.category] },
  };
}

/** A file name as the user gave it → a URI GitHub can match to the checkout. */
export function artifactUri(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { uri: pathToFileURL(absolute).href };
  }
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function location(finding: Finding, cwd: string): Location {
  const o = finding.origin;
  const qualified = [o.namespace, o.kind, o.name, o.container].filter((s) => s !== undefined).join('/');
  const loc: Location = {
    logicalLocations: [{ name: o.container ?? finding.path, fullyQualifiedName: qualified || finding.path }],
  };
  if (o.file !== undefined && o.file !== STDIN_NAME) {
    // The count's own characters, when the reader that found it knows them (Finding.cause).
    const at = finding.cause?.at;
    const exact =
      isFilePlace(at) &&
      at.file === o.file &&
      at.line === o.line &&
      at.column !== undefined &&
      at.length !== undefined
        ? at
        : undefined;
    loc.physicalLocation = {
      artifactLocation: artifactUri(o.file, cwd),
      region: exact
        ? {
            startLine: exact.line,
            startColumn: exact.column,
            endColumn: (exact.column ?? 1) + (exact.length ?? 0),
          }
        : { startLine: o.line ?? 1, startColumn: o.column ?? 1 },
    };
  }
  return loc;
}

/** The steps that led to the decisive file (`deploy.yaml:14`, `Dockerfile:7`, …) as related locations. */
function chainLocations(chain: readonly string[], cwd: string): Location[] {
  return chain.map((step, id) => {
    const m = /^(.*):(\d+)$/.exec(step);
    const file = m ? m[1] : step;
    return {
      id,
      message: { text: `step ${id + 1} of ${chain.length}: ${step}` },
      physicalLocation: {
        artifactLocation: artifactUri(file, cwd),
        ...(m ? { region: { startLine: Number(m[2]) } } : {}),
      },
    };
  });
}

export function toSarif(findings: readonly Finding[], options: SarifOptions): Log {
  const notes = options.notes ?? [];
  const rules = referencedRules(findings, options.rules ?? RULES);
  if (notes.length > 0)
    rules.push({ id: NOT_FOLLOWED, title: 'what oneproc could not follow', category: 'web' });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: Result[] = findings.map((f) => {
    const result: Result = {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule),
      level: f.exempted ? 'note' : f.severity,
      message: { text: f.message },
      locations: [location(f, options.cwd)],
      ...(f.origin.chain && f.origin.chain.length > 1
        ? { relatedLocations: chainLocations(f.origin.chain, options.cwd) }
        : {}),
      properties: {
        path: f.path,
        workers: f.workers,
        category: f.category,
        ...(f.origin.document !== undefined ? { document: f.origin.document } : {}),
      },
    };
    const fixes = f.exempted ? undefined : options.fixes?.(f);
    if (fixes && fixes.length > 0) result.fixes = fixes;
    if (f.exempted) {
      const until = f.exempted.until ? ` (until ${f.exempted.until})` : '';
      result.suppressions = [{ kind: 'inSource', justification: `${f.exempted.reason}${until}` }];
    }
    return result;
  });
  for (const n of notes) {
    const qualified = [n.namespace, n.kind, n.name, n.container].filter((s) => s !== undefined).join('/');
    results.push({
      ruleId: NOT_FOLLOWED,
      ruleIndex: index.get(NOT_FOLLOWED),
      level: 'note',
      message: { text: n.message },
      locations: [
        {
          ...(qualified
            ? { logicalLocations: [{ name: n.container ?? n.name, fullyQualifiedName: qualified }] }
            : {}),
          ...(n.file !== undefined && n.file !== STDIN_NAME
            ? {
                physicalLocation: {
                  artifactLocation: artifactUri(n.file, options.cwd),
                  ...(n.line !== undefined ? { region: { startLine: n.line } } : {}),
                },
              }
            : {}),
        },
      ],
    });
  }
  const notifications: Notification[] = options.inputErrors.map((e) => ({
    level: 'error',
    message: { text: e.message },
    descriptor: { id: e.name },
    ...(e.file !== STDIN_NAME
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactUri(e.file, options.cwd),
                ...(e.line !== undefined
                  ? {
                      region: {
                        startLine: e.line,
                        ...(e.column !== undefined ? { startColumn: e.column } : {}),
                      },
                    }
                  : {}),
              },
            },
          ],
        }
      : {}),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'oneproc',
            version: VERSION,
            semanticVersion: VERSION,
            rules: rules.map(describeRule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(`${options.cwd}${path.sep}`).href } },
        invocations: [
          {
            executionSuccessful: options.inputErrors.length === 0,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
      },
    ],
  };
}

export function formatSarif(findings: readonly Finding[], options: SarifOptions): string {
  return `${safeJson(JSON.stringify(toSarif(findings, options), null, 2))}\n`;
}
