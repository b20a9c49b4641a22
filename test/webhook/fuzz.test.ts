/**
 * Property tests of the review function: random and mutated AdmissionReviews never make it throw, and
 * every answer is a well-formed AdmissionReview echoing the request's uid whenever it had one.
 * The same generators run 1,000,000 times with `npx tsx bench/fuzz/review.ts`.
 */
import fc from 'fast-check';
import { checkObject } from '../../src/manifest';
import { exemptionChanges } from '../../src/webhook/governance';
import { type AdmissionReviewOut, review, reviewBody, UNJUDGED_RULES } from '../../src/webhook/review';
import { admissionArbitrary, hostileBody, mutatedBody } from './arbitraries';

const now = () => new Date('2026-11-26T00:00:00Z');
const EXEMPT = 'oneproc.dev/allow-multiple-workers';

function wellFormed(out: AdmissionReviewOut): void {
  expect(out.apiVersion).toBe('admission.k8s.io/v1');
  expect(out.kind).toBe('AdmissionReview');
  expect(typeof out.response.uid).toBe('string');
  expect(typeof out.response.allowed).toBe('boolean');
  if (!out.response.allowed) expect(typeof out.response.status?.code).toBe('number');
  for (const w of out.response.warnings ?? []) expect([...w].length).toBeLessThanOrEqual(256);
  expect(JSON.parse(JSON.stringify(out))).toEqual(out);
}

describe('review fuzzing', () => {
  it('answers 5,000 structured random AdmissionReviews without throwing, uid echoed', () => {
    fc.assert(
      fc.property(
        admissionArbitrary,
        fc.constantFrom('enforce', 'warn', 'off') as fc.Arbitrary<'enforce' | 'warn' | 'off'>,
        (input, mode) => {
          const { review: out } = review(input, { mode, check: checkObject, now });
          wellFormed(out);
          const uid = (input as { request?: { uid?: unknown } } | null)?.request?.uid;
          if (typeof uid === 'string' && uid !== '') expect(out.response.uid).toBe(uid);
        },
      ),
      { numRuns: 5000, seed: 20261126 },
    );
  });

  it('answers 2,000 random AdmissionReviews with an exemption authority and an escalation day, never admitting an unauthorized exemption in enforce mode', () => {
    const exemptions = { allowedGroups: ['platform-admins'], allowedUsers: ['alice'] };
    let judged = 0;
    fc.assert(
      fc.property(
        admissionArbitrary,
        fc.constantFrom('enforce', 'warn') as fc.Arbitrary<'enforce' | 'warn'>,
        fc.boolean(),
        (input, mode, exempt) => {
          // Half of the requests add an exemption to the object and its pod template, whoever sends them.
          const request = (input as { request?: Record<string, unknown> } | null)?.request;
          const object = request?.object as {
            metadata?: unknown;
            spec?: { template?: { metadata?: unknown } };
          };
          if (exempt && object && typeof object === 'object' && !Array.isArray(object)) {
            object.metadata = { ...(object.metadata as object), annotations: { [EXEMPT]: 'fuzz' } };
            if (object.spec?.template && typeof object.spec.template === 'object') {
              object.spec.template.metadata = { annotations: { [EXEMPT]: 'fuzz' } };
            }
          }
          const result = review(input, {
            mode,
            check: checkObject,
            now,
            exemptions,
            enforceFrom: '2027-01-31',
          });
          wellFormed(result.review);
          // Subresources (status, scale) are admitted without judging, exemption or not.
          const sub = typeof request?.subResource === 'string' && request.subResource !== '';
          if (mode !== 'enforce' || !request || result.decision.skipped || sub) return;
          const kinded = { ...(request.object as object), kind: (request.kind as { kind?: unknown })?.kind };
          const changes = exemptionChanges(
            kinded,
            request.operation === 'UPDATE' ? request.oldObject : undefined,
          );
          const mayExempt = result.decision.exemptionSetBy !== undefined;
          const written = request.operation === 'CREATE' || request.operation === 'UPDATE';
          if (changes.length > 0 && written && !result.decision.error) judged++;
          if (changes.length > 0 && result.review.response.allowed && written) {
            expect({ mayExempt, verdict: result.decision.verdict }).toEqual({
              mayExempt: true,
              verdict: 'allowed',
            });
          }
        },
      ),
      { numRuns: 2000, seed: 20270131 },
    );
    // The property was put to the test: many requests added an exemption and were judged.
    expect(judged).toBeGreaterThan(40);
  });

  it('answers 5,000 mutated and arbitrary bodies (truncated, spliced, random JSON) without throwing', () => {
    fc.assert(
      fc.property(mutatedBody, (body) => {
        wellFormed(reviewBody(body, { mode: 'enforce', check: checkObject, now }).review);
      }),
      { numRuns: 5000, seed: 1126 },
    );
  });

  it('answers 100 hostile reviews (huge env, large UPDATE, doubling references, odd counts, fake owners) well-formed and fail-closed', () => {
    fc.assert(
      fc.property(hostileBody(0.25), ({ body }) => {
        const { review: out, decision } = reviewBody(body, { mode: 'enforce', check: checkObject, now });
        wellFormed(out);
        expect(out.response.uid).toBe('b7e3c2a0-0000-4000-8000-00000000beef');
        if (decision.rules.some((rule) => UNJUDGED_RULES.has(rule)) && decision.operation === 'CREATE') {
          expect(out.response.allowed).toBe(false);
        }
      }),
      { numRuns: 100, seed: 1313 },
    );
  });
});
