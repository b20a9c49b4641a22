/**
 * Evaluates Kubernetes admission CEL (ValidatingAdmissionPolicy validations, webhook matchConditions)
 * with @bufbuild/cel, the way the API server binds `object`, `request` and `variables`. Any evaluation
 * error fails the test: the expressions must never error on objects the API server admits.
 */
import { type CelInput, type CelResult, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** JSON as the API server hands it to CEL: objects are maps, whole numbers are ints. */
export function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel) as CelInput;
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as unknown as CelInput;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value as CelInput;
}

const env = celEnv({ funcs: strings });
/** Planning a long expression costs far more than running it: plan each one once. */
const plans = new Map<string, (ctx: Record<string, CelInput>) => CelResult>();

export function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
  const celBindings: Record<string, CelInput> = {};
  for (const [k, v] of Object.entries(bindings)) celBindings[k] = toCel(v);
  let planned = plans.get(expression);
  if (!planned) {
    planned = plan(env, parse(expression)) as (ctx: Record<string, CelInput>) => CelResult;
    plans.set(expression, planned);
  }
  const result = planned(celBindings);
  if (isCelError(result)) {
    throw new Error(`CEL error: ${result.message}\n  in: ${expression.slice(0, 200)}…`);
  }
  return result;
}

export function evaluateBool(expression: string, bindings: Record<string, unknown>): boolean {
  const result = evaluate(expression, bindings);
  if (typeof result !== 'boolean')
    throw new Error(`expected a bool from ${expression}, got ${String(result)}`);
  return result;
}

const KIND_INFO: Record<string, { group: string; version: string; resource: string }> = {
  Pod: { group: '', version: 'v1', resource: 'pods' },
  ReplicationController: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  Job: { group: 'batch', version: 'v1', resource: 'jobs' },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs' },
};
export const KINDS = Object.keys(KIND_INFO);

/** The `request` variable of an admission CEL expression. */
export function admissionRequest(kind: string, username = 'jane@example.com', operation = 'CREATE') {
  const info = KIND_INFO[kind];
  return {
    kind: { group: info.group, version: info.version, kind },
    resource: { group: info.group, version: info.version, resource: info.resource },
    operation,
    namespace: 'shop',
    name: 'web',
    userInfo: { username, groups: ['system:authenticated'] },
    dryRun: false,
  };
}

export interface PodTemplateParts {
  containers: unknown[];
  initContainers?: unknown[];
  annotations?: Record<string, string>;
}

/** Wraps containers into an object of the given kind, the pod template where that kind keeps it. */
export function wrap(
  kind: string,
  parts: PodTemplateParts,
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  const info = KIND_INFO[kind];
  const spec: Record<string, unknown> = { containers: parts.containers };
  if (parts.initContainers) spec.initContainers = parts.initContainers;
  const template = {
    metadata: { labels: { app: 'web' }, ...(parts.annotations ? { annotations: parts.annotations } : {}) },
    spec,
  };
  const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
  const base = { apiVersion, kind, metadata: { name: 'web', namespace: 'shop', ...metadata } };
  switch (kind) {
    case 'Pod':
      return {
        ...base,
        metadata: { ...base.metadata, ...(parts.annotations ? { annotations: parts.annotations } : {}) },
        spec,
      };
    case 'CronJob':
      return { ...base, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } };
    case 'Job':
      return { ...base, spec: { template } };
    default:
      return { ...base, spec: { selector: { matchLabels: { app: 'web' } }, template } };
  }
}

export interface PolicyVerdict {
  /** False when a matchCondition skipped the request. */
  matched: boolean;
  allowed: boolean;
  message?: string;
}

interface PolicyDoc {
  spec: {
    matchConditions?: Array<{ expression: string }>;
    variables?: Array<{ name: string; expression: string }>;
    validations: Array<{ expression: string; messageExpression?: string; message?: string }>;
  };
}

/** Evaluates a ValidatingAdmissionPolicy over one object, as the API server would. */
export function evaluatePolicy(
  policy: unknown,
  object: Record<string, unknown>,
  username?: string,
): PolicyVerdict {
  const p = policy as PolicyDoc;
  const request = admissionRequest(String(object.kind), username);
  const bindings: Record<string, unknown> = { object, oldObject: null, request, params: null };
  for (const condition of p.spec.matchConditions ?? []) {
    if (!evaluateBool(condition.expression, bindings)) return { matched: false, allowed: true };
  }
  // Variables are bound as plain values; each may use the ones before it.
  const variables: Record<string, unknown> = {};
  for (const v of p.spec.variables ?? []) {
    variables[v.name] = fromCel(evaluate(v.expression, { ...bindings, variables }));
  }
  for (const validation of p.spec.validations) {
    if (!evaluateBool(validation.expression, { ...bindings, variables })) {
      const message = validation.messageExpression
        ? String(evaluate(validation.messageExpression, { ...bindings, variables }))
        : validation.message;
      return { matched: true, allowed: false, message };
    }
  }
  return { matched: true, allowed: true };
}

/** Turns a CEL result back into JSON-like data, so it can be bound again as a variable. */
function fromCel(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value;
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, fromCel(v)]));
  const maybeList = value as { [Symbol.iterator]?: unknown; size?: unknown; get?: unknown; has?: unknown };
  if (typeof maybeList[Symbol.iterator] === 'function' && !('has' in maybeList)) {
    return [...(value as Iterable<unknown>)].map(fromCel);
  }
  if (typeof maybeList.get === 'function' && typeof maybeList.has === 'function') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value as Iterable<[unknown, unknown]>) out[String(k)] = fromCel(v);
    return out;
  }
  return value;
}
