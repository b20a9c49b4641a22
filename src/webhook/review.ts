/**
 * The review layer of the admission webhook: `admission.k8s.io/v1` AdmissionReview in, AdmissionReview
 * out. Pure: no IO, no clock except the injected one, and it never throws — every input, however
 * broken, is answered with a review that echoes the request's uid when one can be found, because the
 * API server rejects answers whose uid does not match and a bare HTTP error tells the user nothing.
 *
 * The decision itself comes from `checkObject` (the same engine the CLI uses), injected so this layer
 * can be tested alone and the engine stays the one place that knows the rules.
 */
import { createdFromCheckedTemplate } from '../manifest/controllers';
import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION, MODE_LABEL } from '../names';
import { isObject } from '../shell/kubernetes';
import type { Finding, Origin, Severity } from '../types';
import {
  type ExemptionAuthority,
  type ExemptionChange,
  exemptionChanges,
  mayExempt,
  restrictsExemptions,
  withoutChanges,
} from './governance';
import { describeJsonFault } from './json-error';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

/** `enforce`: deny new violations. `warn`: allow with warnings. `off`: allow without looking. */
export type Mode = 'enforce' | 'warn' | 'off';
export const MODES: readonly Mode[] = ['enforce', 'warn', 'off'];

/** What happened to a request, as logged and counted. */
export type Verdict = 'allowed' | 'warned' | 'denied' | 'errored';

/** The signature of `checkObject` from src/manifest (the engine over whole Kubernetes objects). */
export type CheckObject = (
  object: unknown,
  options?: { severity?: Partial<Record<'web' | 'queue', Severity | 'off'>>; now?: Date; origin?: Origin },
) => Finding[];

export interface ReviewOptions {
  /** How to treat findings that are errors. */
  readonly mode: Mode;
  /** The engine: every pod spec of a Kubernetes object → findings. */
  readonly check: CheckObject;
  /** The clock used for `oneproc.dev/allow-until`. Default: the current time. */
  readonly now?: () => Date;
  /**
   * In warn mode: the day (`YYYY-MM-DD`, UTC) from which the install's default mode enforces
   * (`--enforce-after`). Each warning about something enforce mode rejects names it.
   */
  readonly enforceFrom?: string;
  /** Who may add or change an exemption annotation (src/webhook/governance.ts). Default: anyone. */
  readonly exemptions?: ExemptionAuthority;
}

/** metav1.Status as the API server reads it inside an AdmissionResponse. */
export interface ReviewStatus {
  code: number;
  reason?: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: ReviewStatus;
  warnings?: string[];
}

export interface AdmissionReviewOut {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

/** What the server logs and counts for one decision. */
export interface DecisionRecord {
  uid: string;
  kind: string;
  namespace: string;
  name: string;
  operation: string;
  dryRun: boolean;
  mode: Mode;
  verdict: Verdict;
  /** Rule ids of the findings that decided (denied or warned), in order, without repeats. */
  rules: string[];
  /** Rule ids of exempted findings. */
  exempted: string[];
  /** For `errored`: the reason given to the API server. */
  error?: string;
  /** Why the object was admitted without being judged, when that is the case. */
  skipped?: string;
  /** In warn mode before `--enforce-after`: the day enforcement starts. */
  enforceFrom?: string;
  /**
   * Set when enforce mode refused what it could not judge (fail closed): `error` — oneproc failed on
   * the request; `unjudged` — the engine could not judge a container (rules `internal`, `limit`).
   */
  failClosed?: 'error' | 'unjudged';
  /** The user who added or changed an exemption annotation, when allowed to (exemption authority on). */
  exemptionSetBy?: string;
}

export interface ReviewResult {
  review: AdmissionReviewOut;
  decision: DecisionRecord;
}

/**
 * Rule ids of findings that say the engine could not judge a container: `internal` (the engine failed
 * on this input) and `limit` (the input exceeded the work budget of one review). Such a container may
 * start any number of workers, so enforce mode denies it — fail closed, or a hostile input would be
 * admitted by being hard to read — and warn mode warns. The UPDATE ratchet still applies: an object that
 * could not be judged before either may still be updated.
 */
export const UNJUDGED_RULES: ReadonlySet<string> = new Set(['internal', 'limit']);

/** Longest warning kubectl shows unshortened (Kubernetes API conventions). */
export const MAX_WARNING_CHARS = 256;
/** Budget for all warnings of one response, in UTF-8 bytes (the API server truncates beyond it). */
export const MAX_WARNINGS_BYTES = 4096;
/** Longest deny message; beyond it the message is cut (the findings are also logged in full). */
export const MAX_MESSAGE_CHARS = 8192;

const STATUS_REASONS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

// ─── Response helpers (controller-runtime's allowed / denied / errored / withWarnings) ───────────

function envelope(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

export function allowed(uid: string): AdmissionReviewOut {
  return envelope({ uid, allowed: true });
}

/** A policy denial: HTTP-style code 403, reason Forbidden, the message kubectl prints. */
export function denied(uid: string, message: string): AdmissionReviewOut {
  return envelope({ uid, allowed: false, status: { code: 403, reason: 'Forbidden', message } });
}

/** The request could not be judged (bad input, internal error); the code says why. */
export function errored(uid: string, code: number, message: string): AdmissionReviewOut {
  const reason = STATUS_REASONS[code];
  const status: ReviewStatus = reason ? { code, reason, message } : { code, message };
  return envelope({ uid, allowed: false, status });
}

/** Adds warnings (kubectl prints them), kept within the per-warning and total budgets. */
export function withWarnings(review: AdmissionReviewOut, warnings: readonly string[]): AdmissionReviewOut {
  return attachWarnings(
    review,
    boundWarnings(warnings.length, (i) => warnings[i]),
  );
}

function attachWarnings(review: AdmissionReviewOut, bounded: string[]): AdmissionReviewOut {
  if (bounded.length === 0) return review;
  return envelope({ ...review.response, warnings: bounded });
}

// ─── Entry points ────────────────────────────────────────────────────────────────────────────────

/**
 * Judges a raw request body. Broken JSON is answered with the uid salvaged from the text, so the API
 * server still shows our message rather than a uid mismatch.
 */
export function reviewBody(body: string | Buffer, options: ReviewOptions): ReviewResult {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (!/\S/.test(text)) return failure(salvageUid(text), 400, 'request body is empty', options.mode);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // V8's message quotes the body around the fault; the answer and the log say only where it is.
    return failure(
      salvageUid(text),
      400,
      describeJsonFault(text),
      options.mode,
      undefined,
      options.enforceFrom,
    );
  }
  return review(parsed, options);
}

/** Judges a parsed AdmissionReview (any JSON value). Never throws. */
export function review(input: unknown, options: ReviewOptions): ReviewResult {
  let uid = '';
  try {
    const request = isObject(input) && isObject(input.request) ? input.request : undefined;
    uid = request && typeof request.uid === 'string' ? request.uid : '';
    return judge(input, options);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return failure(
      uid,
      500,
      `oneproc failed to review this request: ${why}`,
      options.mode,
      undefined,
      options.enforceFrom,
    );
  }
}

/**
 * An answer for a request the transport refused before review (too large, wrong content type, …),
 * with the uid salvaged from whatever part of the body was read.
 */
export function transportFailure(
  prefix: string,
  code: number,
  message: string,
  mode: Mode,
  enforceFrom?: string,
): ReviewResult {
  return failure(salvageUid(prefix), code, message, mode, undefined, enforceFrom);
}

// ─── The decision ────────────────────────────────────────────────────────────────────────────────

function judge(input: unknown, options: ReviewOptions): ReviewResult {
  const mode = options.mode;
  const enforceFrom = mode === 'warn' ? options.enforceFrom : undefined;
  const fail = (uid: string, code: number, message: string, base?: DecisionRecord) =>
    failure(uid, code, message, mode, base, enforceFrom);
  if (!isObject(input)) return fail('', 400, 'expected an AdmissionReview object');
  const request = isObject(input.request) ? input.request : undefined;
  const uid = request && typeof request.uid === 'string' ? request.uid : '';
  if (input.apiVersion !== ADMISSION_API_VERSION || input.kind !== ADMISSION_KIND) {
    return fail(
      uid,
      400,
      `expected apiVersion "${ADMISSION_API_VERSION}" and kind "${ADMISSION_KIND}", ` +
        `got ${describe(input.apiVersion)} and ${describe(input.kind)}`,
    );
  }
  if (!request) return fail(uid, 400, 'AdmissionReview has no request');
  if (uid === '') return fail('', 400, 'request.uid must be a non-empty string');

  const operation = typeof request.operation === 'string' ? request.operation : '';
  const requestKind =
    isObject(request.kind) && typeof request.kind.kind === 'string' ? request.kind.kind : '';
  const object = request.object;
  const meta = isObject(object) && isObject(object.metadata) ? object.metadata : {};
  const base: DecisionRecord = {
    uid,
    kind: requestKind || (isObject(object) && typeof object.kind === 'string' ? object.kind : ''),
    namespace: text(request.namespace) || text(meta.namespace),
    name: text(request.name) || text(meta.name) || text(meta.generateName),
    operation,
    dryRun: request.dryRun === true,
    mode,
    verdict: 'allowed',
    rules: [],
    exempted: [],
  };
  if (enforceFrom) base.enforceFrom = enforceFrom;

  if (operation === 'DELETE' || operation === 'CONNECT') return { review: allowed(uid), decision: base };
  if (operation !== 'CREATE' && operation !== 'UPDATE') {
    return fail(
      uid,
      400,
      `request.operation ${describe(request.operation)} is not one of CREATE, UPDATE, DELETE, CONNECT`,
      base,
    );
  }
  // Subresources (status, scale, ephemeralcontainers, …) never change what the containers run.
  if (typeof request.subResource === 'string' && request.subResource !== '') {
    return { review: allowed(uid), decision: base };
  }
  // What a built-in controller creates from a checked template (the matchCondition
  // `not-created-from-a-checked-template`, applied here too for clusters without matchConditions). The
  // template's exemption was judged, and its authority checked, when the owner was written: the copy
  // keeps it. Who sent the request decides, never an ownerReference (src/manifest/controllers.ts).
  if (createdFromCheckedTemplate(request.userInfo, object)) {
    return { review: allowed(uid), decision: { ...base, skipped: 'created from a checked template' } };
  }
  if (mode === 'off') return { review: allowed(uid), decision: base };
  if (!isObject(object)) {
    return fail(uid, 400, `request.object must be a Kubernetes object, got ${describe(object)}`, base);
  }

  // The API server sends the object in the version and kind it matched (`request.kind`); an object that
  // says otherwise is not what was admitted, and judging it as its own kind would judge something else.
  const mismatch =
    kindMismatch(request.kind, object, 'request.object') ??
    (operation === 'UPDATE' ? kindMismatch(request.kind, request.oldObject, 'request.oldObject') : undefined);
  if (mismatch) return fail(uid, 400, mismatch, base);

  const oldObject = operation === 'UPDATE' && isObject(request.oldObject) ? request.oldObject : undefined;

  // Exemption authority: an exemption the request adds or changes counts only when its sender may
  // exempt; otherwise the object is judged with the exemption as it was before, and the change itself
  // is refused in enforce mode. An unchanged exemption (compared with oldObject) stays valid.
  let judged: Record<string, unknown> = object;
  let unauthorized: ExemptionChange[] = [];
  let exemptionSetBy: string | undefined;
  const authority = options.exemptions;
  if (authority && restrictsExemptions(authority)) {
    const changes = exemptionChanges(
      withKind(object, request.kind),
      oldObject ? withKind(oldObject, request.kind) : undefined,
    );
    if (changes.length > 0) {
      if (mayExempt(request.userInfo, authority)) {
        exemptionSetBy = usernameOf(request.userInfo);
      } else {
        unauthorized = changes;
        judged = withoutChanges(object, changes);
      }
    }
  }

  const now = options.now ? options.now() : new Date();
  // Objects being created often omit metadata.namespace; the request carries it.
  const origin = base.namespace ? { namespace: base.namespace } : undefined;
  const findings = options.check(withKind(judged, request.kind), { now, origin });
  if (!Array.isArray(findings)) throw new Error('the engine returned no findings list');
  const before = oldObject
    ? indexBefore(options.check(withKind(oldObject, request.kind), { now, origin }))
    : undefined;

  const failing: Finding[] = [];
  /** `rejectLater`: enforce mode would reject it (said in the warning before `--enforce-after`). */
  const warned: { finding: Finding; preexisting: boolean; rejectLater: boolean }[] = [];
  const exempted: string[] = [];
  for (const finding of findings) {
    if (finding.exempted) {
      pushUnique(exempted, finding.rule);
      continue;
    }
    if (finding.severity !== 'error' && !UNJUDGED_RULES.has(finding.rule)) {
      warned.push({ finding, preexisting: false, rejectLater: false });
    } else if (before && hadBefore(finding, before)) {
      warned.push({ finding, preexisting: true, rejectLater: false });
    } else if (mode === 'enforce') {
      failing.push(finding);
    } else {
      warned.push({ finding, preexisting: false, rejectLater: true });
    }
  }

  const lines: (() => string)[] = [];
  if (unauthorized.length > 0) {
    lines.push(() => authorityWarning(unauthorized, request.userInfo, authority ?? {}, enforceFrom));
  }
  for (const w of warned) {
    lines.push(() => warningFor(w.finding, w.preexisting, w.rejectLater ? enforceFrom : undefined));
  }
  const warnings = (): string[] => boundWarnings(lines.length, (i) => lines[i]());
  const decision: DecisionRecord = { ...base, exempted };
  if (exemptionSetBy !== undefined) decision.exemptionSetBy = exemptionSetBy;
  if (unauthorized.length > 0) decision.rules.push(EXEMPTION_AUTHORITY_RULE);
  for (const f of failing) pushUnique(decision.rules, f.rule);
  for (const w of warned) pushUnique(decision.rules, w.finding.rule);
  if (mode === 'enforce' && (failing.length > 0 || unauthorized.length > 0)) {
    if (failing.some((f) => UNJUDGED_RULES.has(f.rule))) decision.failClosed = 'unjudged';
    decision.verdict = 'denied';
    const message =
      unauthorized.length > 0
        ? [authorityMessage(unauthorized, request.userInfo, authority ?? {}), denyMessage(failing)]
            .filter((m) => m !== '')
            .join('\n')
        : denyMessage(failing);
    // Warnings already said in the message are not repeated.
    const shown = unauthorized.length > 0 ? warnings().slice(1) : warnings();
    return { review: attachWarnings(denied(uid, truncate(message, MAX_MESSAGE_CHARS)), shown), decision };
  }
  if (lines.length > 0) {
    decision.verdict = 'warned';
    return { review: attachWarnings(allowed(uid), warnings()), decision };
  }
  return { review: allowed(uid), decision };
}

/** The rule id logged and counted for an exemption its sender may not set. */
export const EXEMPTION_AUTHORITY_RULE = 'exemption-authority';

function usernameOf(userInfo: unknown): string {
  return isObject(userInfo) && typeof userInfo.username === 'string' ? userInfo.username : '';
}

/** `user "bob"`, quoted and bounded: the name comes from an identity provider and may be anything. */
function whoSent(userInfo: unknown): string {
  const name = usernameOf(userInfo);
  return name === '' ? 'a user without a name' : `user ${JSON.stringify(truncate(name, 64))}`;
}

/** `users "a" and "b" or members of group "platform-admins"`, at most five names of each. */
function whoMayExempt(authority: ExemptionAuthority): string {
  const names = (list: readonly string[]) => {
    const shown = list.slice(0, 5).map((n) => JSON.stringify(truncate(n, 64)));
    if (list.length > 5) shown.push(`${list.length - 5} more`);
    return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  };
  const users = authority.allowedUsers ?? [];
  const groups = authority.allowedGroups ?? [];
  const parts: string[] = [];
  if (users.length > 0) parts.push(`${users.length === 1 ? 'user' : 'users'} ${names(users)}`);
  if (groups.length > 0)
    parts.push(`members of ${groups.length === 1 ? 'group' : 'groups'} ${names(groups)}`);
  return parts.join(' or ');
}

function changedWhere(changes: readonly ExemptionChange[]): string {
  const verb = changes.every((c) => c.change === 'added') ? 'adds' : 'changes';
  return `${verb} an exemption in ${changes.map((c) => `${c.path}.annotations`).join(', ')}`;
}

function authorityMessage(
  changes: readonly ExemptionChange[],
  userInfo: unknown,
  authority: ExemptionAuthority,
): string {
  return sanitize(
    `this request by ${whoSent(userInfo)} ${changedWhere(changes)} (${EXEMPT_ANNOTATION}, ` +
      `${EXEMPT_UNTIL_ANNOTATION}), but only ${whoMayExempt(authority)} may add or change one. ` +
      'Ask one of them to apply the exemption, or leave the annotations as they were.',
    true,
  );
}

function authorityWarning(
  changes: readonly ExemptionChange[],
  userInfo: unknown,
  authority: ExemptionAuthority,
  enforceFrom: string | undefined,
): string {
  // The day comes first: a long list of names may be cut, the day must not be.
  const later = enforceFrom ? `This will be rejected from ${enforceFrom}: ` : '';
  return (
    `${later}${whoSent(userInfo)} may not add or change an exemption (${changedWhere(changes)}), ` +
    `so it is ignored; only ${whoMayExempt(authority)} may.`
  );
}

/** The old object's findings by server and container: the highest worker count of each. */
type Before = Map<string, number>;

function beforeKey(finding: Finding): string {
  return `${finding.rule}\u0000${containerOf(finding)}`;
}

/**
 * Indexes the old object's findings once, so that an UPDATE costs one lookup per new finding: a
 * comparison of every new finding with every old one took seconds for a workload of 18,000 containers,
 * during which the process answered nothing else.
 */
function indexBefore(findings: readonly Finding[]): Before {
  if (!Array.isArray(findings)) throw new Error('the engine returned no findings list');
  const index: Before = new Map();
  for (const old of findings) {
    const key = beforeKey(old);
    const rank = workersRank(old.workers);
    const known = index.get(key);
    if (known === undefined || rank > known) index.set(key, rank);
  }
  return index;
}

/**
 * On UPDATE, a violation the old object already had (same container, same server, no more workers)
 * is only warned about: blocking an urgent image bump of a running workload helps nobody.
 */
function hadBefore(finding: Finding, before: Before): boolean {
  const rank = before.get(beforeKey(finding));
  return rank !== undefined && rank >= workersRank(finding.workers);
}

/** A count that is not a fixed number (one per CPU) is treated as the largest. */
function workersRank(workers: number | null): number {
  return workers === null ? Number.POSITIVE_INFINITY : workers;
}

function containerOf(finding: Finding): string {
  if (finding.origin?.container) return finding.origin.container;
  const match = /^(.*\.(?:initContainers|containers)\[\d+\])/.exec(finding.path);
  return match ? match[1] : finding.path;
}

function label(finding: Finding): string {
  const container = finding.origin?.container;
  if (container) return `container "${container}"`;
  return containerOf(finding) || 'the object';
}

/** Where a finding points, for a deny message: `container "api" (spec.containers[0].args[3])`. */
function place(finding: Finding): string {
  return finding.path ? `${label(finding)} (${finding.path})` : label(finding);
}

const UNJUDGED_HEAD = 'oneproc could not judge this container: ';
const UNJUDGED_ADVICE =
  ' In enforce mode a container that cannot be judged is denied. To admit it, annotate the workload or its ' +
  `pod template with ${EXEMPT_ANNOTATION}: "<reason>", or label the namespace ${MODE_LABEL}=warn.`;
const UNJUDGED_WARNING_ADVICE = ` Enforce mode denies it; exempt with annotation ${EXEMPT_ANNOTATION}.`;

function denyMessage(failing: readonly Finding[]): string {
  // Only as many lines as can be shown: a workload may have thousands of containers.
  let message = '';
  for (const f of failing) {
    const line = UNJUDGED_RULES.has(f.rule)
      ? `${place(f)}: ${UNJUDGED_HEAD}${f.message}${UNJUDGED_ADVICE}`
      : `${place(f)}: ${f.message}`;
    message = message === '' ? line : `${message}\n${line}`;
    if (message.length > MAX_MESSAGE_CHARS) break;
  }
  return truncate(sanitize(message, true), MAX_MESSAGE_CHARS);
}

const WARNING_ADVICE = ` Run one process per container and scale with replicas; exempt with annotation ${EXEMPT_ANNOTATION}.`;

/**
 * A warning kubectl prints in one line: which container, what was found, what to do. `enforceFrom`:
 * the day enforce mode starts rejecting it (`--enforce-after`), said in the warning.
 */
function warningFor(finding: Finding, preexisting: boolean, enforceFrom?: string): string {
  const unjudged = UNJUDGED_RULES.has(finding.rule);
  const later = enforceFrom ? `This will be rejected from ${enforceFrom}: ` : '';
  const head = `${label(finding)}${preexisting ? ' (already before this update)' : ''}: ${later}${unjudged ? UNJUDGED_HEAD : ''}`;
  const advice = unjudged ? UNJUDGED_WARNING_ADVICE : WARNING_ADVICE;
  // Only the start of the message can be shown; it may be long.
  const sentence = firstSentence(sanitize(truncate(finding.message, 4 * MAX_WARNING_CHARS), false));
  const whole = `${head}${sentence}${advice}`;
  if ([...whole].length <= MAX_WARNING_CHARS) return whole;
  const room = MAX_WARNING_CHARS - [...head].length - [...advice].length;
  if (room >= 40) return `${head}${truncate(sentence, room)}${advice}`;
  return truncate(`${head}${sentence}`, MAX_WARNING_CHARS);
}

/** The message up to its first full stop outside backticks (evidence such as `-w 4` may hold dots). */
function firstSentence(message: string): string {
  let quoted = false;
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (c === '`') quoted = !quoted;
    else if (c === '.' && !quoted && (i + 1 === message.length || message[i + 1] === ' ')) {
      return message.slice(0, i + 1);
    }
  }
  return message;
}

/**
 * Each warning ≤ 256 characters; all of them ≤ 4 KiB, the overflow summarised in a last warning.
 * Warnings are rendered only while they fit.
 */
function boundWarnings(count: number, render: (index: number) => string): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const warning = truncate(sanitize(render(i), false), MAX_WARNING_CHARS);
    const size = Buffer.byteLength(warning, 'utf8');
    const rest = count - i - 1;
    // Keep room for the summary line unless this is the last warning.
    const reserve = rest > 0 ? 64 : 0;
    if (bytes + size + reserve > MAX_WARNINGS_BYTES) {
      out.push(`…and ${count - i} more oneproc findings (not shown)`);
      break;
    }
    out.push(warning);
    bytes += size;
  }
  return out;
}

// ─── Small helpers ───────────────────────────────────────────────────────────────────────────────

/**
 * An answer for a request that could not be reviewed. A bad request (4xx) is refused in every mode; a
 * failure of oneproc itself (5xx) is refused in enforce mode (fail closed) and admitted with a warning in
 * warn mode, which never blocks.
 */
function failure(
  uid: string,
  code: number,
  message: string,
  mode: Mode,
  base?: DecisionRecord,
  enforceFrom?: string,
): ReviewResult {
  if (code >= 500 && mode === 'warn') {
    const decision: DecisionRecord = {
      ...(base ?? emptyDecision(uid, mode)),
      verdict: 'warned',
      rules: ['internal'],
      error: message,
    };
    if (enforceFrom) decision.enforceFrom = enforceFrom;
    const later = enforceFrom ? ` until ${enforceFrom}; from then on it will be rejected` : '';
    return {
      review: withWarnings(allowed(uid), [`${message}; warn mode admits the request${later}.`]),
      decision,
    };
  }
  const decision: DecisionRecord = {
    ...(base ?? emptyDecision(uid, mode)),
    verdict: 'errored',
    error: message,
  };
  // Enforce mode refuses what oneproc failed to review: fail closed, counted apart for alerts.
  if (code >= 500 && mode === 'enforce') decision.failClosed = 'error';
  return { review: errored(uid, code, message), decision };
}

function emptyDecision(uid: string, mode: Mode): DecisionRecord {
  return {
    uid,
    kind: '',
    namespace: '',
    name: '',
    operation: '',
    dryRun: false,
    mode,
    verdict: 'errored',
    rules: [],
    exempted: [],
  };
}

/** The API server always sends kind and apiVersion in the object, but a missing kind must not hide it. */
function withKind(object: Record<string, unknown>, kind: unknown): Record<string, unknown> {
  if (typeof object.kind === 'string' && object.kind !== '') return object;
  if (!isObject(kind) || typeof kind.kind !== 'string') return object;
  const group = typeof kind.group === 'string' ? kind.group : '';
  const version = typeof kind.version === 'string' ? kind.version : '';
  return { ...object, kind: kind.kind, apiVersion: group ? `${group}/${version}` : version };
}

/** Says how `object.kind` disagrees with `request.kind.kind`, when both are given. */
function kindMismatch(requestKind: unknown, object: unknown, field: string): string | undefined {
  if (!isObject(requestKind) || typeof requestKind.kind !== 'string' || requestKind.kind === '')
    return undefined;
  if (!isObject(object) || object.kind === undefined || object.kind === '') return undefined;
  if (object.kind === requestKind.kind) return undefined;
  return `${field}.kind ${describe(object.kind)} does not match request.kind.kind ${describe(requestKind.kind)}`;
}

// A JSON string of up to 128 characters: no quote, backslash or control character unless escaped.
const UID_VALUE = String.raw`"((?:[^"\\\u0000-\u001f]|\\.){1,128})"`;
const UID_IN_REQUEST = new RegExp(String.raw`"request"\s*:\s*\{\s*"uid"\s*:\s*` + UID_VALUE);
const ANY_UID = new RegExp(String.raw`"uid"\s*:\s*` + UID_VALUE);
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f]/g;

/**
 * Finds the request uid in text that is not valid JSON (or not read in full). The API server writes
 * `request.uid` first, so it is near the start; only the first 64 KiB are searched.
 */
export function salvageUid(text: string): string {
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  const match = UID_IN_REQUEST.exec(head) ?? ANY_UID.exec(head);
  if (!match) return '';
  try {
    const value: unknown = JSON.parse(`"${match[1]}"`);
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A string short and plain enough to quote back: an API version, a kind, an operation. */
const SHOWN_STRING = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  // Names such as apiVersion, kind and operation are shown; any other text from the body is not
  // (it may be anything, up to a Secret's data), only its length.
  if (typeof value === 'string') {
    return SHOWN_STRING.test(value) ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? `number ${value}` : 'a number';
  return `${typeof value} ${String(value)}`;
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** Control characters would break the HTTP Warning header kubectl reads; newlines only in messages. */
function sanitize(value: string, keepNewlines: boolean): string {
  return String(value).replace(keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, ' ');
}

/**
 * Cuts to `max` characters (code points, never half a surrogate pair), ending with an ellipsis. Reads
 * at most `max` + 1 code points: the value may be megabytes long.
 */
function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let points = 0;
  let cut = 0;
  for (let i = 0; i < value.length; ) {
    if (points === max - 1) cut = i;
    const c = value.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += pair ? 2 : 1;
    if (++points > max) return `${value.slice(0, cut)}…`;
  }
  return value;
}
