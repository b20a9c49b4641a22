/**
 * Where each Kubernetes kind keeps its pod spec, and which of its containers run for the pod's whole
 * life. Pure: no IO, never throws for any input shape.
 */

import { isObject } from '../shell/kubernetes';

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

export { isObject };

/**
 * The field path from an object to its pod spec, per kind, and the metadata that may carry an
 * exemption on the way (the object's own metadata is always considered first).
 * @see https://kubernetes.io/docs/concepts/workloads/
 */
interface PodSpecLocation {
  /** Keys from the object to the pod spec. */
  readonly spec: readonly string[];
  /** Keys from the object to each intermediate metadata (outermost first), e.g. the pod template's. */
  readonly metadata: readonly (readonly string[])[];
}

const TEMPLATE: PodSpecLocation = {
  spec: ['spec', 'template', 'spec'],
  metadata: [['spec', 'template', 'metadata']],
};

const LOCATIONS: Readonly<Record<string, PodSpecLocation>> = {
  Pod: { spec: ['spec'], metadata: [] },
  Deployment: TEMPLATE,
  StatefulSet: TEMPLATE,
  DaemonSet: TEMPLATE,
  ReplicaSet: TEMPLATE,
  ReplicationController: TEMPLATE,
  Job: TEMPLATE,
  CronJob: {
    spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    metadata: [
      ['spec', 'jobTemplate', 'metadata'],
      ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
    ],
  },
  PodTemplate: { spec: ['template', 'spec'], metadata: [['template', 'metadata']] },
};

/** The kinds whose pod specs oneproc reads (plus `List` and every `…List`). */
export const WORKLOAD_KINDS: readonly string[] = Object.keys(LOCATIONS);

/** A kind the API server serves and the webhook, the policy and `oneproc audit` judge. */
export interface WorkloadResource {
  readonly kind: string;
  /** The API group, `''` for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource's plural name in API paths and RBAC rules. */
  readonly resource: string;
}

/**
 * The kinds judged on admission and listed by `oneproc audit`: every kind above but `PodTemplate`
 * (an object no controller runs), grouped by API group in the order the webhook's rules list them.
 * The webhook's and the policy's resource rules, the audit's requests and its RBAC rules are built
 * from (or, in the chart, checked against) this list.
 */
export const WORKLOAD_RESOURCES: readonly WorkloadResource[] = [
  { kind: 'Pod', group: '', version: 'v1', resource: 'pods' },
  { kind: 'ReplicationController', group: '', version: 'v1', resource: 'replicationcontrollers' },
  { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments' },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', resource: 'statefulsets' },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', resource: 'daemonsets' },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', resource: 'replicasets' },
  { kind: 'Job', group: 'batch', version: 'v1', resource: 'jobs' },
  { kind: 'CronJob', group: 'batch', version: 'v1', resource: 'cronjobs' },
];

/** `WORKLOAD_RESOURCES` by API group, in order: the shape of admission rules and RBAC rules. */
export function resourcesByGroup(): Array<{ group: string; version: string; resources: string[] }> {
  const out: Array<{ group: string; version: string; resources: string[] }> = [];
  for (const r of WORKLOAD_RESOURCES) {
    const last = out.find((g) => g.group === r.group && g.version === r.version);
    if (last) last.resources.push(r.resource);
    else out.push({ group: r.group, version: r.version, resources: [r.resource] });
  }
  return out;
}

/** A metadata object met on the way to a pod spec, with its field path. */
export interface MetadataRef {
  readonly value: JsonObject;
  /** e.g. `spec.template.metadata`. */
  readonly path: string;
}

/** One container that runs for the pod's whole life. */
export interface ContainerRef {
  readonly value: unknown;
  /** e.g. `spec.template.spec.containers[0]`. */
  readonly path: string;
  /** The container's `name`, when it is a string. */
  readonly name?: string;
}

/** One pod spec found in an object. */
export interface PodSpecRef {
  readonly kind: string;
  /** The object that holds it (a List item, or the object itself). */
  readonly object: JsonObject;
  /** Metadata from the outermost (the object's own) to the innermost (the pod template's). */
  readonly metadata: readonly MetadataRef[];
  readonly containers: readonly ContainerRef[];
}

/** Lists inside lists deeper than this are not read: no real manifest nests them at all. */
const MAX_LIST_DEPTH = 16;

/**
 * Every pod spec in `object`, with the exact field paths. `prefix` is prepended to every path
 * (`items[3].` for the fourth item of a List). Unknown kinds and malformed shapes yield nothing.
 */
export function podSpecs(object: unknown, prefix = '', depth = 0, defaultKind?: string): PodSpecRef[] {
  if (!isObject(object)) return [];
  const kind = typeof object.kind === 'string' ? object.kind : defaultKind;
  if (kind === undefined) return [];
  if (kind.endsWith('List') && Array.isArray(object.items)) {
    if (depth >= MAX_LIST_DEPTH) return [];
    // A typed list from the API (`DeploymentList`) leaves `kind` out of its items.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    const found: PodSpecRef[] = [];
    object.items.forEach((item: unknown, i: number) => {
      for (const pod of podSpecs(item, `${prefix}items[${i}].`, depth + 1, itemKind)) found.push(pod);
    });
    return found;
  }
  const location = Object.hasOwn(LOCATIONS, kind) ? LOCATIONS[kind] : undefined;
  if (!location) return [];
  const spec = dig(object, location.spec);
  if (!isObject(spec)) return [];
  const metadata: MetadataRef[] = [];
  const addMetadata = (keys: readonly string[]) => {
    const value = dig(object, keys);
    if (isObject(value)) metadata.push({ value, path: prefix + keys.join('.') });
  };
  addMetadata(['metadata']);
  for (const keys of location.metadata) addMetadata(keys);
  return [{ kind, object, metadata, containers: longRunning(spec, prefix + location.spec.join('.')) }];
}

/**
 * The containers that run for the pod's whole life: every entry of `containers`, and the init
 * containers with `restartPolicy: Always` (native sidecars, Kubernetes ≥ 1.28), which keep running
 * beside them. Ordinary init containers run to completion first and are not servers.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
function longRunning(spec: JsonObject, specPath: string): ContainerRef[] {
  const found: ContainerRef[] = [];
  const add = (field: 'initContainers' | 'containers', keep: (c: unknown) => boolean) => {
    const list = spec[field];
    if (!Array.isArray(list)) return;
    list.forEach((container: unknown, i: number) => {
      if (!keep(container)) return;
      const name = isObject(container) && typeof container.name === 'string' ? container.name : undefined;
      found.push({ value: container, path: `${specPath}.${field}[${i}]`, name });
    });
  };
  add('initContainers', (c) => isObject(c) && c.restartPolicy === 'Always');
  add('containers', () => true);
  return found;
}

function dig(object: JsonObject, keys: readonly string[]): unknown {
  let current: unknown = object;
  for (const key of keys) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}
