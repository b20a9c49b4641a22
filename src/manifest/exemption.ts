/**
 * The exemption annotations (DESIGN.md, "Names users see"):
 * `oneproc.dev/allow-multiple-workers: "<reason>"` with an optional `oneproc.dev/allow-until:
 * "YYYY-MM-DD"`, on the object or on its pod template. Pure: no IO, never throws.
 */
import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from '../names';
import type { Exemption } from '../types';
import { isObject, type MetadataRef } from './workloads';

/**
 * - `none`: no exemption annotation at all.
 * - `exempt`: a valid, unexpired exemption.
 * - `rejected`: an annotation is there but does not apply; `why` says what is wrong, for the finding's
 *   message, so the user learns why their exemption was ignored instead of wondering.
 */
export type ExemptionStatus =
  | { readonly state: 'none' }
  | { readonly state: 'exempt'; readonly exemption: Exemption; readonly where: string }
  | { readonly state: 'rejected'; readonly why: string; readonly where: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Characters that show nothing: controls (Cc), format characters (Cf: zero-width space U+200B, the
 * byte-order mark U+FEFF, bidi controls), separators (Z*: U+00A0, U+3000, U+2028), what Unicode marks
 * Default_Ignorable_Code_Point (U+3164 Hangul filler, U+115F, U+FFA0, U+00AD, variation selectors),
 * combining marks with nothing to combine with (Mn, Me) and the blank braille pattern U+2800.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\u2800]/u;
const ONLY_INVISIBLE = /^[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\u2800]*$/u;

/**
 * True when an exemption reason says nothing a reader can see: empty, or made only of invisible
 * characters (a zero-width space is not a reason). Shared by every door: manifests, the webhook
 * (through `checkObject`) and the cdk8s constructs.
 */
export function isBlankReason(reason: string): boolean {
  return ONLY_INVISIBLE.test(reason);
}

/** `U+200B U+FEFF` for the invisible characters of `text` other than plain spaces, each named once. */
function invisibleCodePoints(text: string): string {
  const seen = new Set<string>();
  for (const char of text) {
    if (char === ' ' || !INVISIBLE.test(char)) continue;
    seen.add(`U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return [...seen].join(' ');
}

/**
 * Decides the exemption from the metadata met on the way to a pod spec (outermost first). The
 * innermost metadata that carries `allow-multiple-workers` decides, with the `allow-until` written
 * beside it: the pod template is the more specific place, and it is also what the admission webhook
 * sees on the Pods a controller creates.
 * `allow-until` is inclusive: the exemption holds until the end of that day, UTC.
 */
export function exemptionOf(metadata: readonly MetadataRef[], now: Date): ExemptionStatus {
  let orphanUntil: string | undefined;
  for (let i = metadata.length - 1; i >= 0; i--) {
    const meta = metadata[i];
    const annotations = meta.value.annotations;
    if (!isObject(annotations)) continue;
    const where = `${meta.path}.annotations`;
    if (!Object.hasOwn(annotations, EXEMPT_ANNOTATION)) {
      if (Object.hasOwn(annotations, EXEMPT_UNTIL_ANNOTATION)) orphanUntil ??= where;
      continue;
    }
    const reason = annotations[EXEMPT_ANNOTATION];
    if (typeof reason !== 'string') {
      return {
        state: 'rejected',
        where,
        why: `the annotation ${EXEMPT_ANNOTATION} in ${where} is not a string (annotation values must be quoted strings)`,
      };
    }
    if (isBlankReason(reason)) {
      const invisible = invisibleCodePoints(reason);
      const what =
        invisible === ''
          ? 'has an empty reason'
          : `has no visible reason (only invisible characters: ${invisible})`;
      return {
        state: 'rejected',
        where,
        why: `the annotation ${EXEMPT_ANNOTATION} in ${where} ${what}; an exemption needs a reason, e.g. "legacy app, migrating to Redis sessions"`,
      };
    }
    if (!Object.hasOwn(annotations, EXEMPT_UNTIL_ANNOTATION)) {
      return { state: 'exempt', where, exemption: { reason: reason.trim() } };
    }
    const until = annotations[EXEMPT_UNTIL_ANNOTATION];
    const end = typeof until === 'string' ? endOfDay(until) : undefined;
    if (typeof until !== 'string' || end === undefined) {
      return {
        state: 'rejected',
        where,
        why: `${EXEMPT_UNTIL_ANNOTATION}: ${JSON.stringify(until)} in ${where} is not a valid date (expected YYYY-MM-DD), so the exemption does not apply`,
      };
    }
    if (now.getTime() >= end) {
      return {
        state: 'rejected',
        where,
        why: `the exemption in ${where} expired on ${until} (${EXEMPT_UNTIL_ANNOTATION}); remove the extra workers or renew the date`,
      };
    }
    return { state: 'exempt', where, exemption: { reason: reason.trim(), until: until.trim() } };
  }
  if (orphanUntil !== undefined) {
    return {
      state: 'rejected',
      where: orphanUntil,
      why: `${orphanUntil} sets ${EXEMPT_UNTIL_ANNOTATION} but not ${EXEMPT_ANNOTATION}, so nothing is exempted`,
    };
  }
  return { state: 'none' };
}

/** Milliseconds at the end of the UTC day `YYYY-MM-DD`, or undefined when it is not a calendar date. */
function endOfDay(text: string): number | undefined {
  const match = DATE.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) {
    return undefined;
  }
  return start.getTime() + 24 * 60 * 60 * 1000;
}
