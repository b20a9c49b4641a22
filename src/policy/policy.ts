/**
 * `oneproc policy`: a ValidatingAdmissionPolicy and its bindings (admissionregistration.k8s.io/v1,
 * Kubernetes >= 1.30) that reject or warn about the direct cases in the API server itself, for clusters
 * that want no webhook, or as a backstop while the webhook is unreachable.
 *
 * Namespace modes are routed like the webhook's entries: one binding per `oneproc.dev/mode` value.
 */

import { resourcesByGroup } from '../manifest/workloads';
import { EXEMPT_ANNOTATION, MODE_LABEL } from '../names';
import {
  CONTAINERS_EXPRESSION,
  containerExpression,
  EXEMPT_EXPRESSION,
  MATCH_CONDITIONS,
  TEMPLATE_EXPRESSION,
} from './cel';

/** What the binding for namespaces without a mode label does: reject, or admit with a warning. */
export type PolicyAction = 'deny' | 'warn';

export interface PolicyOptions {
  /** @default 'deny' */
  readonly action?: PolicyAction;
  /** Name of the policy; bindings are named `<name>-enforce`, `<name>-warn`, `<name>-default`. @default 'oneproc' */
  readonly name?: string;
  /** Namespaces never judged. @default ['kube-system'] */
  readonly excludedNamespaces?: readonly string[];
}

/** A value that `oneproc policy` cannot turn into a valid policy (a user error, exit code 2). */
export class PolicyOptionError extends Error {
  override readonly name = 'PolicyOptionError';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const POLICY_MESSAGE =
  'starts several worker processes (a worker option or WEB_CONCURRENCY above 1). Each process has its own ' +
  'memory, so sessions, caches and counters differ between requests. Run one process per container, scale ' +
  'with replicas or a HorizontalPodAutoscaler and keep shared state in Redis. To exempt it, annotate the ' +
  `workload with ${EXEMPT_ANNOTATION}: "<reason>".`;

/** The resources and operations judged: pods and the seven workload kinds (`WORKLOAD_RESOURCES`), on CREATE and UPDATE. */
export const RESOURCE_RULES = resourcesByGroup().map((g) => ({
  apiGroups: [g.group],
  apiVersions: [g.version],
  resources: g.resources,
  operations: ['CREATE', 'UPDATE'],
  scope: 'Namespaced',
}));

/** Builds the policy and its three bindings, in the order `kubectl apply` needs them. */
export function buildPolicy(options: PolicyOptions = {}): Record<string, unknown>[] {
  const action = options.action ?? 'deny';
  if (action !== 'deny' && action !== 'warn') {
    throw new PolicyOptionError(`--action must be deny or warn, not '${String(action)}'`);
  }
  const name = options.name ?? 'oneproc';
  if (!DNS_SUBDOMAIN.test(name) || name.length > 240) {
    throw new PolicyOptionError(
      `--name '${name}' is not a valid Kubernetes object name (lowercase, digits, '-', '.')`,
    );
  }
  const excluded = [...new Set(options.excludedNamespaces ?? ['kube-system'])];
  for (const ns of excluded) {
    if (!DNS_LABEL.test(ns) || ns.length > 63) {
      throw new PolicyOptionError(`--exclude-namespace '${ns}' is not a valid namespace name`);
    }
  }
  const labels = { 'app.kubernetes.io/name': 'oneproc', 'app.kubernetes.io/component': 'policy' };

  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name, labels },
    spec: {
      // An evaluation error admits: this policy is a backstop for a reliability practice, not a
      // security boundary, and its expressions are written not to fail.
      failurePolicy: 'Ignore',
      matchConstraints: { resourceRules: RESOURCE_RULES },
      matchConditions: MATCH_CONDITIONS.map((c) => ({ ...c })),
      variables: [
        { name: 'template', expression: TEMPLATE_EXPRESSION },
        { name: 'containers', expression: CONTAINERS_EXPRESSION },
        { name: 'exempt', expression: EXEMPT_EXPRESSION },
        {
          name: 'multiWorker',
          expression: `variables.containers.filter(c, ${containerExpression()}).map(c, c.name)`,
        },
      ],
      validations: [
        {
          expression: 'variables.exempt || size(variables.multiWorker) == 0',
          messageExpression: `'oneproc: container ' + variables.multiWorker.join(', ') + ' ${POLICY_MESSAGE.replace(/'/g, "\\'")}'`,
          message: `oneproc: a container ${POLICY_MESSAGE}`,
          reason: 'Forbidden',
        },
      ],
    },
  };

  const binding = (suffix: string, actions: string[], operator: 'In' | 'NotIn', values: string[]) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `${name}-${suffix}`, labels },
    spec: {
      policyName: name,
      validationActions: actions,
      matchResources: {
        namespaceSelector: {
          matchExpressions: [
            { key: MODE_LABEL, operator, values },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded },
          ],
        },
      },
    },
  });

  return [
    policy,
    binding('enforce', ['Deny'], 'In', ['enforce']),
    binding('warn', ['Warn'], 'In', ['warn']),
    binding('default', action === 'deny' ? ['Deny'] : ['Warn'], 'NotIn', ['enforce', 'warn', 'off']),
  ];
}
