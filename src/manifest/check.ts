/**
 * A Kubernetes object in, findings out: finds every pod spec, checks each long-running container with
 * the engine and applies the exemption annotations. Pure: no IO, never throws for any input.
 */
import { type CheckOptions, checkContainer, WorkBudget } from '../engine';
import type { Finding, Origin } from '../types';
import { exemptionOf } from './exemption';
import { isObject, podSpecs } from './workloads';

export interface ObjectCheckOptions {
  /** Severity per category, as for `checkContainer`. */
  readonly severity?: CheckOptions['severity'];
  /** The time `oneproc.dev/allow-until` is compared with. Default: now. */
  readonly now?: Date;
  /**
   * Copied into every finding (file, document, …). `kind`, `name` and `container` come from the
   * object; `namespace` too, falling back to this one (the webhook knows it when the object omits it).
   */
  readonly origin?: Origin;
  /** The server rules to try, as for `checkContainer`. Default: the built-in rules. */
  readonly rules?: CheckOptions['rules'];
  /**
   * The work budget all containers share (src/shell/budget.ts). Default: one per workload object (the
   * object itself, or each item of a `List`), so one review is bounded in time and memory while a
   * `kubectl get -o json` List of thousands of objects is read whole.
   */
  readonly budget?: WorkBudget;
}

/** Findings plus how much was looked at, for summaries (`checked.containers`). */
export interface ObjectReport {
  readonly findings: Finding[];
  /** How many long-running containers were checked. */
  readonly containers: number;
}

/**
 * Checks every long-running container of a Kubernetes object (Pod, Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob, PodTemplate, List and `…List`). Any JSON value is
 * accepted: other kinds and malformed objects give `[]`. Never throws.
 */
export function checkObject(object: unknown, options: ObjectCheckOptions = {}): Finding[] {
  return inspectObject(object, options).findings;
}

/** `checkObject`, also counting the containers checked. Never throws. */
export function inspectObject(object: unknown, options: ObjectCheckOptions = {}): ObjectReport {
  try {
    return inspect(object, options);
  } catch (err) {
    // Only reachable through exotic inputs (getters that throw, proxies): report, never crash a door.
    return {
      findings: [
        {
          rule: 'internal',
          category: 'web',
          severity: 'warning',
          message: `oneproc failed to read this object (${String(err)}); please report this input.`,
          path: '',
          workers: null,
          origin: { ...options.origin },
        },
      ],
      containers: 0,
    };
  }
}

function inspect(object: unknown, options: ObjectCheckOptions): ObjectReport {
  const now = options.now ?? new Date();
  const base = options.origin ?? {};
  const findings: Finding[] = [];
  let containers = 0;
  for (const pod of podSpecs(object)) {
    const budget = options.budget ?? new WorkBudget();
    const meta = isObject(pod.object.metadata) ? pod.object.metadata : {};
    const name =
      typeof meta.name === 'string'
        ? meta.name
        : typeof meta.generateName === 'string'
          ? meta.generateName
          : base.name;
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : base.namespace;
    const exemption = exemptionOf(pod.metadata, now);
    for (const container of pod.containers) {
      containers++;
      // Only defined fields are set (findings are compared and serialised field by field); building
      // the object this way keeps it a plain fast object, unlike `delete`.
      const origin: Origin = { ...base, kind: pod.kind };
      if (namespace !== undefined) origin.namespace = namespace;
      else if ('namespace' in origin) delete origin.namespace;
      if (name !== undefined) origin.name = name;
      else if ('name' in origin) delete origin.name;
      if (container.name !== undefined) origin.container = container.name;
      else if ('container' in origin) delete origin.container;
      const found = checkContainer(container.value, {
        path: container.path,
        severity: options.severity,
        origin,
        rules: options.rules,
        budget,
      });
      for (const finding of found) {
        if (exemption.state === 'exempt') {
          findings.push({ ...finding, exempted: { ...exemption.exemption } });
        } else if (exemption.state === 'rejected') {
          findings.push({ ...finding, message: `${finding.message} Not exempted: ${exemption.why}.` });
        } else {
          findings.push(finding);
        }
      }
    }
  }
  return { findings, containers };
}
