/**
 * The synth-time guard: the app's container goes through the same engine as `oneproc check` and the
 * admission webhook (`checkObject`, with the same exemption annotations), so a multi-worker command
 * fails at `cdk8s synth`, before it reaches a cluster.
 */
import { EXEMPT_HINT } from '../engine';
import { checkObject } from '../manifest';
import { EXEMPT_UNTIL_ANNOTATION } from '../names';
import type { Finding } from '../types';

export interface GuardInput {
  /** The container as Kubernetes will see it (name, image, command, args, env). */
  readonly container: unknown;
  /** The Deployment's name and namespace, for the findings' origin. */
  readonly name: string;
  readonly namespace?: string;
  /** The annotations the Deployment and its pod template carry (the exemption, when given). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Today, for the exemption's `until`. Default: now. */
  readonly now?: Date;
  /**
   * The construct's prop that sets the exemption annotations (`allowMultipleWorkers`): messages then
   * tell how to exempt with the prop, and why it did not apply, in terms of the prop. Default: the
   * messages of `oneproc check`, which name the annotations.
   */
  readonly exemptionProp?: string;
}

export interface GuardResult {
  /** Error findings not covered by an exemption: construction must fail. */
  readonly errors: readonly Finding[];
  /** Warnings, and exempted errors: reported, not failing. */
  readonly warnings: readonly Finding[];
}

/** The field path of the app container in the Deployment. */
export const CONTAINER_PATH = 'spec.template.spec.containers[0]';

/** Checks the container as part of the Deployment that will carry it. */
export function guardContainer(input: GuardInput): GuardResult {
  const annotations = { ...input.annotations };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: input.name,
      ...(input.namespace !== undefined && { namespace: input.namespace }),
      annotations,
    },
    spec: { template: { metadata: { annotations }, spec: { containers: [input.container] } } },
  };
  const now = input.now ?? new Date();
  const findings = checkObject(deployment, { now }).map((f) =>
    input.exemptionProp === undefined ? f : inPropTerms(f, input.exemptionProp, annotations, now),
  );
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  for (const finding of findings) {
    if (finding.severity === 'error' && !finding.exempted) errors.push(finding);
    else warnings.push(finding);
  }
  return { errors, warnings };
}

/** What `checkObject` appends when an exemption annotation is there but does not apply. */
const NOT_EXEMPTED = ' Not exempted: ';

/**
 * A finding's message as a construct's user needs it: the exemption is the prop, not an annotation
 * they would write by hand. An exempted finding drops the hint; one whose exemption lapsed says so
 * with the prop's `until`.
 */
function inPropTerms(
  finding: Finding,
  prop: string,
  annotations: Readonly<Record<string, string>>,
  now: Date,
): Finding {
  const at = finding.message.indexOf(NOT_EXEMPTED);
  const base = at < 0 ? finding.message : finding.message.slice(0, at);
  let message = finding.exempted
    ? base.replace(` ${EXEMPT_HINT}`, '')
    : base.replace(
        EXEMPT_HINT,
        `To exempt it, set the prop ${prop}: { reason: "<reason>", until?: "YYYY-MM-DD" } on the construct.`,
      );
  if (at >= 0) {
    const until = annotations[EXEMPT_UNTIL_ANNOTATION];
    const why =
      until !== undefined && hasPassed(until, now)
        ? `'${prop}.until' (${until}) has passed; remove the extra workers, or move the date.`
        : finding.message.slice(at + NOT_EXEMPTED.length);
    message += `${NOT_EXEMPTED}${why}`;
  }
  return { ...finding, message };
}

/** True once the UTC day `YYYY-MM-DD` is over (the exemption holds through that day, as in manifests). */
function hasPassed(date: string, now: Date): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!match) return false;
  const end = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + 24 * 60 * 60 * 1000;
  return now.getTime() >= end;
}
