/**
 * `oneproc audit`: the same check as `oneproc check`, against the objects a live cluster holds.
 * Lists Pods and the seven workload kinds (paginated), folds controller-owned objects into their
 * owners, and runs `inspectObject` on the rest.
 */
import { inspectObject, type ObjectCheckOptions } from '../manifest';
import { WORKLOAD_RESOURCES } from '../manifest/workloads';
import type { Finding } from '../types';
import { ApiError, type ClusterTarget } from './client';
import { foldOwned, type Listed } from './fold';

export { ApiError, type ClusterTarget, type ConnectOptions, connect, KubeconfigError } from './client';
export { foldOwned, type Listed } from './fold';
export {
  type PolicyReportObject,
  policyReports,
  REPORT_APIS,
  type ReportApi,
  reportPath,
} from './policyreport';

/**
 * The order the kinds are listed in: owners before what they own (a Deployment before its ReplicaSets,
 * a CronJob before its Jobs, Pods last), so that the first request tells whether the cluster answers.
 */
const AUDIT_ORDER = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'CronJob',
  'Job',
  'Pod',
];

/** The kinds audited (`WORKLOAD_RESOURCES`), with where the API serves them. */
export const AUDITED_KINDS: ReadonlyArray<{ kind: string; apiVersion: string; resource: string }> =
  AUDIT_ORDER.flatMap((kind) =>
    WORKLOAD_RESOURCES.filter((r) => r.kind === kind).map((r) => ({
      kind: r.kind,
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      resource: r.resource,
    })),
  );

export interface AuditOptions extends ObjectCheckOptions {
  /** One namespace; default: all namespaces. */
  readonly namespace?: string;
  /** Objects per page (`limit`). Default 500. */
  readonly pageSize?: number;
  /** Time allowed for each request. Default 30 s. */
  readonly timeoutMs?: number;
}

/** A kind that could not be listed: the audit went on without it. */
export interface AuditProblem {
  readonly kind: string;
  readonly message: string;
  readonly status: number;
}

export interface AuditReport {
  readonly findings: Finding[];
  readonly checked: { readonly objects: number; readonly containers: number; readonly folded: number };
  readonly problems: AuditProblem[];
  /** The objects checked (controller-owned ones folded into their owners), for per-object reports. */
  readonly objects: readonly Listed[];
}

export async function audit(target: ClusterTarget, options: AuditOptions = {}): Promise<AuditReport> {
  const listed: Listed[] = [];
  const problems: AuditProblem[] = [];
  for (const spec of AUDITED_KINDS) {
    try {
      for (const object of await listKind(target, spec, options)) listed.push({ kind: spec.kind, object });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 0 && err.reason !== 'Timeout') throw err; // the server is unreachable: nothing else will work
      problems.push({ kind: spec.kind, status: err.status, message: explain(err, spec.resource) });
    }
  }
  const { keep, folded } = foldOwned(listed);
  const findings: Finding[] = [];
  let containers = 0;
  for (const { object } of keep) {
    const report = inspectObject(object, options);
    findings.push(...report.findings);
    containers += report.containers;
  }
  return { findings, checked: { objects: keep.length, containers, folded }, problems, objects: keep };
}

async function listKind(
  target: ClusterTarget,
  spec: (typeof AUDITED_KINDS)[number],
  options: AuditOptions,
): Promise<Record<string, unknown>[]> {
  const prefix = spec.apiVersion.includes('/') ? `/apis/${spec.apiVersion}` : `/api/${spec.apiVersion}`;
  const scope = options.namespace ? `/namespaces/${encodeURIComponent(options.namespace)}` : '';
  const limit = options.pageSize ?? 500;
  const timeout = options.timeoutMs ?? 30000;
  let restarted = false;
  for (;;) {
    const items = new Map<string, Record<string, unknown>>();
    let token: string | undefined;
    try {
      do {
        const query = `?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
        const page = (await target.get(`${prefix}${scope}/${spec.resource}${query}`, timeout)) as {
          items?: unknown;
          metadata?: { continue?: unknown };
        };
        const pageItems = Array.isArray(page?.items) ? page.items : [];
        for (const item of pageItems) {
          if (typeof item !== 'object' || item === null) continue;
          // List items carry no kind or apiVersion: put them back so findings and folding name them.
          const object: Record<string, unknown> = { apiVersion: spec.apiVersion, kind: spec.kind, ...item };
          const meta = (object.metadata ?? {}) as { uid?: unknown; namespace?: unknown; name?: unknown };
          items.set(
            typeof meta.uid === 'string' ? meta.uid : `${meta.namespace}/${meta.name}/${items.size}`,
            object,
          );
        }
        const next = page?.metadata?.continue;
        token = typeof next === 'string' && next.length > 0 ? next : undefined;
      } while (token);
      return [...items.values()];
    } catch (err) {
      // 410 Gone: the continue token expired (the list took longer than the server keeps a snapshot).
      // Start this list again once, from a fresh snapshot.
      if (err instanceof ApiError && err.status === 410 && !restarted) {
        restarted = true;
        continue;
      }
      throw err;
    }
  }
}

function explain(err: ApiError, resource: string): string {
  if (err.status === 403) {
    return `${err.message}. The audit needs 'list' on ${resource} (cluster-wide, or in the namespace given): see docs/audit.md for the ClusterRole.`;
  }
  return err.message;
}
