/**
 * `oneproc audit --format policyreport`: the audit as policy-report objects, the API that cluster
 * dashboards read (Policy Reporter and its UI, Kyverno's reports views, Headlamp's and Lens's Kyverno
 * plugins). Two API versions, each a typed model of its published CRD:
 * - `wgpolicyk8s.io/v1alpha2` `PolicyReport` / `ClusterPolicyReport` — the Kubernetes Policy WG's API
 *   (kubernetes-sigs/wg-policy-prototypes, policy-report/crd/v1alpha2), read by Policy Reporter 2 and
 *   written by Kyverno up to 1.14;
 * - `openreports.io/v1alpha1` `Report` / `ClusterReport` — its successor (openreports/reports-api,
 *   crd/openreports.io_reports.yaml), which Kyverno 1.15 moved to and Policy Reporter 3 reads.
 * Both have the same result shape: `policy` (required), `rule`, `result` ∈ pass|fail|warn|error|skip,
 * `severity` ∈ critical|high|medium|low|info (v1alpha2's first CRDs knew only high|medium|low, so
 * oneproc uses only those three), `resources` (ObjectReferences), `properties` (string → string),
 * `message`, `source`, `timestamp` {seconds, nanos}, and a `summary` of the counts.
 *
 * One report per namespace (and one cluster-scoped report for objects without a namespace), one result
 * per workload and container: `fail` for an error, `warn` for a warning, `skip` for an exempted finding,
 * `pass` for a container with no finding. Pure: objects in, report objects out.
 */
import { podSpecs } from '../manifest';
import type { Finding } from '../types';

export const REPORT_APIS = ['wgpolicyk8s.io/v1alpha2', 'openreports.io/v1alpha1'] as const;
export type ReportApi = (typeof REPORT_APIS)[number];

export type ReportResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
export type ReportSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** corev1.ObjectReference, the fields the CRDs declare. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  fieldPath?: string;
}

export interface ReportResult {
  source: string;
  policy: string;
  rule?: string;
  category?: string;
  result: ReportResultValue;
  severity?: ReportSeverity;
  scored?: boolean;
  message?: string;
  resources?: ObjectReference[];
  properties?: Record<string, string>;
  timestamp: { seconds: number; nanos: number };
}

export interface ReportSummary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

export interface PolicyReportObject {
  apiVersion: ReportApi;
  kind: 'PolicyReport' | 'ClusterPolicyReport' | 'Report' | 'ClusterReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  /** openreports.io only: the engine that wrote the report. */
  source?: string;
  summary: ReportSummary;
  results: ReportResult[];
}

/** An audited object, as the audit listed it. */
export interface AuditedObject {
  readonly kind: string;
  readonly object: Record<string, unknown>;
}

/** The policy name in every result, and the label dashboards filter by. */
export const POLICY = 'oneproc';
const SOURCE = 'oneproc';
export const REPORT_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/managed-by': 'oneproc',
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function referenceOf(o: AuditedObject): ObjectReference {
  const meta = (o.object.metadata ?? {}) as Record<string, unknown>;
  const ref: ObjectReference = { kind: o.kind };
  const apiVersion = str(o.object.apiVersion);
  if (apiVersion) ref.apiVersion = apiVersion;
  const namespace = str(meta.namespace);
  if (namespace) ref.namespace = namespace;
  const name = str(meta.name);
  if (name) ref.name = name;
  const uid = str(meta.uid);
  if (uid) ref.uid = uid;
  return ref;
}

function resultOf(f: Finding): ReportResultValue {
  if (f.exempted) return 'skip';
  return f.severity === 'error' ? 'fail' : 'warn';
}

/**
 * The reports for an audit: one per namespace that holds an audited object, plus a cluster-scoped one
 * when an object has no namespace. `now` stamps every result.
 */
export function policyReports(
  objects: readonly AuditedObject[],
  findings: readonly Finding[],
  api: ReportApi,
  now: Date,
): PolicyReportObject[] {
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const byNamespace = new Map<string, ReportResult[]>();
  const add = (namespace: string, r: ReportResult) => {
    const list = byNamespace.get(namespace);
    if (list) list.push(r);
    else byNamespace.set(namespace, [r]);
  };
  // Findings by workload and container: the audit names each finding's object by kind, namespace and name.
  const key = (
    kind: string | undefined,
    ns: string | undefined,
    name: string | undefined,
    c: string | undefined,
  ) => JSON.stringify([kind ?? '', ns ?? '', name ?? '', c ?? '']);
  const found = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = key(f.origin.kind, f.origin.namespace, f.origin.name, f.origin.container);
    const list = found.get(k);
    if (list) list.push(f);
    else found.set(k, [f]);
  }
  const used = new Set<string>();
  for (const o of objects) {
    const ref = referenceOf(o);
    const namespace = ref.namespace ?? '';
    const containers = podSpecs(o.object).flatMap((p) => p.containers);
    const names = containers.length > 0 ? containers.map((c, i) => c.name ?? `#${i}`) : [undefined];
    for (const container of names) {
      const k = key(o.kind, ref.namespace, ref.name, container);
      const list = found.get(k) ?? [];
      used.add(k);
      if (list.length === 0) {
        add(namespace, {
          source: SOURCE,
          policy: POLICY,
          rule: 'single-process',
          category: 'workers',
          result: 'pass',
          severity: 'low',
          scored: true,
          message: `${container ? `container ${container} ` : ''}runs one server process`,
          resources: [ref],
          properties: container ? { container } : {},
          timestamp,
        });
        continue;
      }
      for (const f of list) add(namespace, findingResult(f, ref, timestamp));
    }
  }
  // A finding whose object was not among the listed ones (it should not happen) is never dropped.
  for (const [k, list] of found) {
    if (used.has(k)) continue;
    for (const f of list) {
      const ref: ObjectReference = {};
      if (f.origin.kind) ref.kind = f.origin.kind;
      if (f.origin.namespace) ref.namespace = f.origin.namespace;
      if (f.origin.name) ref.name = f.origin.name;
      add(f.origin.namespace ?? '', findingResult(f, ref, timestamp));
    }
  }
  const namespaced = api === 'openreports.io/v1alpha1' ? 'Report' : 'PolicyReport';
  const clustered = api === 'openreports.io/v1alpha1' ? 'ClusterReport' : 'ClusterPolicyReport';
  return [...byNamespace.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((namespace) => {
      const results = byNamespace.get(namespace) ?? [];
      const summary: ReportSummary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
      for (const r of results) summary[r.result]++;
      const report: PolicyReportObject = {
        apiVersion: api,
        kind: namespace === '' ? clustered : namespaced,
        metadata: {
          name: POLICY,
          ...(namespace === '' ? {} : { namespace }),
          labels: { ...REPORT_LABELS },
        },
        summary,
        results,
      };
      if (api === 'openreports.io/v1alpha1') report.source = SOURCE;
      return report;
    });
}

function findingResult(
  f: Finding,
  ref: ObjectReference,
  timestamp: { seconds: number; nanos: number },
): ReportResult {
  const properties: Record<string, string> = { fieldPath: f.path, category: f.category };
  if (f.origin.container) properties.container = f.origin.container;
  if (f.workers !== null) properties.workers = String(f.workers);
  if (f.exempted) {
    properties.exemption = f.exempted.reason;
    if (f.exempted.until) properties.exemptUntil = f.exempted.until;
  }
  return {
    source: SOURCE,
    policy: POLICY,
    rule: f.rule,
    category: f.category === 'queue' ? 'job workers' : 'web servers',
    result: resultOf(f),
    severity: f.severity === 'error' ? 'high' : 'medium',
    scored: true,
    message: f.message,
    resources: [{ ...ref, ...(f.path ? { fieldPath: f.path } : {}) }],
    properties,
    timestamp,
  };
}

/** The API path of a report, for server-side apply: `/apis/<group>/<version>[/namespaces/<ns>]/<plural>/<name>`. */
export function reportPath(report: PolicyReportObject): string {
  const plural = `${report.kind.toLowerCase()}s`;
  const ns = report.metadata.namespace;
  return `/apis/${report.apiVersion}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${plural}/${encodeURIComponent(report.metadata.name)}`;
}
