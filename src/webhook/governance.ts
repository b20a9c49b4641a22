/**
 * Governance settings of one install, decided from the AdmissionReview alone (no IO at admission):
 *
 * - **Exemption authority.** When `allowedUsers` or `allowedGroups` is set, a CREATE or UPDATE that adds
 *   or changes an exemption annotation (`oneproc.dev/allow-multiple-workers` or the `allow-until` beside
 *   it, on the object or on any pod template on the way to its pod spec) is admitted only when
 *   `request.userInfo` names an allowed user or group. An exemption that the old object already carried,
 *   unchanged, stays valid on UPDATE. What a built-in controller creates from a checked template never
 *   gets here (src/manifest/controllers.ts decides that from `request.userInfo`, never from an
 *   ownerReference).
 * - **Dated escalation.** `enforceAfter` (YYYY-MM-DD, UTC): before that day the install's default mode
 *   warns, naming the day in each warning; from 00:00 UTC that day it enforces.
 *
 * Pure: no IO, no clock except the one passed in, never throws.
 */

import { isObject, podSpecs } from '../manifest/workloads';
import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from '../names';
import type { Mode } from './review';

/** Who may add or change an exemption. Both empty (or absent): anyone who may write the object. */
export interface ExemptionAuthority {
  /** `request.userInfo.username` values, exactly (e.g. `system:serviceaccount:argocd:argocd-application-controller`). */
  readonly allowedUsers?: readonly string[];
  /** `request.userInfo.groups` values, exactly (e.g. `platform-admins`). */
  readonly allowedGroups?: readonly string[];
}

/** True when the authority restricts anything (at least one user or group is named). */
export function restrictsExemptions(authority: ExemptionAuthority | undefined): boolean {
  return (authority?.allowedUsers?.length ?? 0) > 0 || (authority?.allowedGroups?.length ?? 0) > 0;
}

/**
 * Whether `userInfo` (an AdmissionReview's `request.userInfo`, authentication.k8s.io/v1 UserInfo) names
 * an allowed user or group. The API server fills it from the authenticated identity, so it is trusted as
 * it comes; only its shape is checked. Never throws.
 */
export function mayExempt(userInfo: unknown, authority: ExemptionAuthority): boolean {
  if (!isObject(userInfo)) return false;
  const username = userInfo.username;
  if (typeof username === 'string' && (authority.allowedUsers ?? []).includes(username)) return true;
  const groups = userInfo.groups;
  if (!Array.isArray(groups)) return false;
  const allowed = authority.allowedGroups ?? [];
  return groups.some((group) => typeof group === 'string' && allowed.includes(group));
}

/** An exemption annotation pair that the request adds or changes. */
export interface ExemptionChange {
  /** Field path of the metadata, e.g. `spec.template.metadata`. */
  readonly path: string;
  /** Keys from the object to that metadata. */
  readonly keys: readonly string[];
  readonly change: 'added' | 'changed';
  /** The old metadata's annotations, to judge the object as it was before the change. */
  readonly before: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The exemption annotations `object` adds or changes compared with `oldObject` (absent for CREATE), per
 * metadata on the way to a pod spec. A metadata carries an exemption when it has
 * `allow-multiple-workers`; the exemption is its value and the `allow-until` beside it, so renewing a
 * date, removing it (which makes the exemption permanent) or moving the exemption to another metadata
 * is a change. Removing an exemption is not: it only makes the object stricter. Never throws.
 */
export function exemptionChanges(object: unknown, oldObject: unknown): ExemptionChange[] {
  const before = new Map<string, Record<string, unknown>>();
  for (const pod of podSpecs(oldObject)) {
    for (const meta of pod.metadata) {
      const annotations = meta.value.annotations;
      if (isObject(annotations)) before.set(meta.path, annotations);
    }
  }
  const changes: ExemptionChange[] = [];
  for (const pod of podSpecs(object)) {
    for (const meta of pod.metadata) {
      const annotations = meta.value.annotations;
      if (!isObject(annotations) || !Object.hasOwn(annotations, EXEMPT_ANNOTATION)) continue;
      const old = before.get(meta.path);
      const keys = meta.path.split('.');
      if (old === undefined || !Object.hasOwn(old, EXEMPT_ANNOTATION)) {
        changes.push({ path: meta.path, keys, change: 'added', before: old });
      } else if (
        !same(annotations, old, EXEMPT_ANNOTATION) ||
        !same(annotations, old, EXEMPT_UNTIL_ANNOTATION)
      ) {
        changes.push({ path: meta.path, keys, change: 'changed', before: old });
      }
    }
  }
  return changes;
}

function same(a: Record<string, unknown>, b: Record<string, unknown>, key: string): boolean {
  const hasA = Object.hasOwn(a, key);
  if (hasA !== Object.hasOwn(b, key)) return false;
  return !hasA || a[key] === b[key];
}

/**
 * `object` with the exemption annotations of each change put back as they were before it (removed
 * when the old metadata had none): the object as it is judged when the change is not allowed. Copies
 * only the objects on the way; the input is not modified.
 */
export function withoutChanges(
  object: Record<string, unknown>,
  changes: readonly ExemptionChange[],
): Record<string, unknown> {
  let result = object;
  for (const change of changes) {
    result = rewrite(result, change.keys, (meta) => {
      const annotations: Record<string, unknown> = isObject(meta.annotations) ? { ...meta.annotations } : {};
      for (const key of [EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION]) {
        if (change.before && Object.hasOwn(change.before, key)) annotations[key] = change.before[key];
        else delete annotations[key];
      }
      return { ...meta, annotations };
    });
  }
  return result;
}

/** A path segment: a field, or a list item (`items[3]`, in a List read by `podSpecs`). */
const SEGMENT = /^(.*)\[(\d+)\]$/;

function rewrite(
  value: Record<string, unknown>,
  keys: readonly string[],
  edit: (meta: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  if (keys.length === 0) return edit(value);
  const [head, ...rest] = keys;
  const item = SEGMENT.exec(head);
  const field = item ? item[1] : head;
  const child = Object.hasOwn(value, field) ? value[field] : undefined;
  if (item) {
    const index = Number(item[2]);
    if (!Array.isArray(child) || !isObject(child[index])) return value;
    const list = [...child];
    list[index] = rewrite(child[index] as Record<string, unknown>, rest, edit);
    return { ...value, [field]: list };
  }
  if (!isObject(child)) return value;
  return { ...value, [head]: rewrite(child, rest, edit) };
}

// ─── Dated escalation ────────────────────────────────────────────────────────────────────────────

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * 00:00 UTC of a calendar date written `YYYY-MM-DD`, or undefined when the text is not one (2027-02-30
 * is not). The same reading as `oneproc.dev/allow-until` (src/manifest/exemption.ts).
 */
export function startOfDayUtc(text: string): Date | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) {
    return undefined;
  }
  return start;
}

/** The mode a request gets, and the day it will be enforced from while that is still ahead. */
export interface ModeInEffect {
  readonly mode: Mode;
  /** `YYYY-MM-DD`: the request is warned about, and would be rejected from that day. */
  readonly enforceFrom?: string;
}

/**
 * The install's default mode at `now`: with `enforceAfter`, an `enforce` default warns before that day
 * (00:00 UTC) and enforces from it. `warn` and `off` defaults are not escalated (the CLI and the chart
 * refuse that combination). A namespace labelled `oneproc.dev/mode` is routed to its own mode and never
 * asks for the default.
 */
export function defaultModeAt(mode: Mode, enforceAfter: string | undefined, now: Date): ModeInEffect {
  if (mode !== 'enforce' || enforceAfter === undefined) return { mode };
  const from = startOfDayUtc(enforceAfter);
  if (from === undefined || now.getTime() >= from.getTime()) return { mode };
  return { mode: 'warn', enforceFrom: enforceAfter };
}
