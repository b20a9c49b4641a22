/**
 * The synth-time guard: the app's container goes through the same engine as `oneproc check` and the
 * admission webhook, so a multi-worker command fails at `cdk8s synth`, before it reaches a cluster.
 */
import { checkContainer } from '../engine';
import type { Exemption, Finding, Origin } from '../types';

export interface GuardInput {
  /** The container as Kubernetes will see it (name, image, command, args, env). */
  readonly container: unknown;
  readonly origin: Origin;
  /** The exemption the user gave (`allowMultipleWorkers`), as the annotations will carry it. */
  readonly exemption?: Exemption;
  /** Today, for the exemption's `until`. */
  readonly now?: Date;
}

export interface GuardResult {
  /** Error findings not covered by an exemption: construction must fail. */
  readonly errors: readonly Finding[];
  /** Warnings, and exempted errors: reported, not failing. */
  readonly warnings: readonly Finding[];
}

/** The field path of the app container in the Deployment. */
export const CONTAINER_PATH = 'spec.template.spec.containers[0]';

export function guardContainer(input: GuardInput): GuardResult {
  const findings = checkContainer(input.container, { path: CONTAINER_PATH, origin: input.origin });
  const exemption = activeExemption(input.exemption, input.now ?? new Date());
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  for (const finding of findings) {
    const judged = exemption ? { ...finding, exempted: exemption } : finding;
    if (judged.severity === 'error' && !judged.exempted) errors.push(judged);
    else warnings.push(judged);
  }
  return { errors, warnings };
}

/** The exemption, unless its `until` date has passed (it then no longer applies, as in DESIGN.md). */
export function activeExemption(exemption: Exemption | undefined, now: Date): Exemption | undefined {
  if (!exemption) return undefined;
  if (exemption.until !== undefined && exemption.until < now.toISOString().slice(0, 10)) return undefined;
  return exemption;
}
