/**
 * The synth-time guard: the app's container goes through the same engine as `oneproc check` and the
 * admission webhook (`checkObject`, with the same exemption annotations), so a multi-worker command
 * fails at `cdk8s synth`, before it reaches a cluster.
 */
import { checkObject } from '../manifest';
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
  const findings = checkObject(deployment, { now: input.now });
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  for (const finding of findings) {
    if (finding.severity === 'error' && !finding.exempted) errors.push(finding);
    else warnings.push(finding);
  }
  return { errors, warnings };
}
