/**
 * `oneproc audit` — the same check as `oneproc check`, against the objects a live cluster holds.
 * Exit codes as for `check`: 0 no error findings; 1 at least one (with --strict, warnings too);
 * 2 a usage error, an unreachable API server, or a kind that could not be listed (the rest is still
 * reported).
 */
import { parseArgs } from 'node:util';
import {
  ApiError,
  audit,
  type ClusterTarget,
  connect,
  KubeconfigError,
  type PolicyReportObject,
  policyReports,
  REPORT_APIS,
  type ReportApi,
  reportPath,
} from '../audit';
import { InputError } from '../manifest';
import { MODE_LABEL } from '../names';
import type { Finding } from '../types';
import { startOfDayUtc } from '../webhook/governance';
import { UNJUDGED_RULES } from '../webhook/review';
import { safeJson, safeLine, safeYaml } from './escape';
import { formatHtml } from './format-html';
import { toJsonReport } from './format-json';
import { formatSarif } from './format-sarif';
import { formatText } from './format-text';

export const AUDIT_USAGE = `Usage: oneproc audit [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] [--format text|json|sarif|html|policyreport] [--strict]
                     [--report-api wgpolicyk8s.io/v1alpha2|openreports.io/v1alpha1] [--enforce-after YYYY-MM-DD]

Lists Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and
CronJobs in a live cluster and checks them as \`oneproc check\` checks manifests. Objects a controller
made from an audited workload (a Deployment's ReplicaSets and Pods, a CronJob's Jobs) fold into it.

Options:
      --kubeconfig FILE          kubeconfig (default: $KUBECONFIG, ~/.kube/config, then in-cluster)
      --context NAME             kubeconfig context (default: the current one)
  -n, --namespace NAMESPACE      one namespace (default: all namespaces)
  -f, --format FORMAT            text (default), json, sarif, html (one self-contained page), or
                                 policyreport (YAML for kubectl apply: one report per namespace)
      --apply                    with --format policyreport: write the reports to the cluster by
                                 server-side apply (field manager oneproc; needs 'patch' on them)
      --report-api API           the policy-report API to write: wgpolicyk8s.io/v1alpha2 (default;
                                 PolicyReport) or openreports.io/v1alpha1 (Report, Kyverno >= 1.15)
      --strict                   warnings fail the audit too
      --enforce-after DATE       list only what the webhook's enforce mode would reject on that day (UTC):
                                 exemptions judged on that day (allow-until), namespaces labelled
                                 ${MODE_LABEL}=warn or off left out (needs 'list' on namespaces)
      --page-size N              objects per list request (default 500)
      --request-timeout SECONDS  time allowed for each request (default 30)
  -h, --help                     show this help

Needs 'list' on those eight resources: see docs/audit.md for the ClusterRole.
`;

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
    if (values.help) {
      process.stdout.write(AUDIT_USAGE);
      return 0;
    }
    if (!['text', 'json', 'sarif', 'html', 'policyreport'].includes(values.format)) {
      throw new Error(
        `unknown --format '${values.format}' (expected text, json, sarif, html or policyreport)`,
      );
    }
    if (values.apply && values.format !== 'policyreport') {
      throw new Error('--apply goes with --format policyreport');
    }
    if (!(REPORT_APIS as readonly string[]).includes(values['report-api'])) {
      throw new Error(
        `unknown --report-api '${values['report-api']}' (expected ${REPORT_APIS.join(' or ')})`,
      );
    }
    if (values['enforce-after'] !== undefined && startOfDayUtc(values['enforce-after']) === undefined) {
      throw new Error(
        `--enforce-after takes a calendar date written YYYY-MM-DD (UTC), not '${values['enforce-after']}'`,
      );
    }
    for (const flag of ['page-size', 'request-timeout'] as const) {
      const n = Number(values[flag]);
      if (!(n > 0) || (flag === 'page-size' && !Number.isInteger(n))) {
        throw new Error(`--${flag} takes a positive number, not '${values[flag]}'`);
      }
    }
  } catch (err) {
    process.stderr.write(`oneproc audit: ${(err as Error).message}\n\n${AUDIT_USAGE}`);
    return 2;
  }

  const day = values['enforce-after'];
  const on = day === undefined ? undefined : startOfDayUtc(day);
  let report: Awaited<ReturnType<typeof audit>>;
  let server: string;
  let target: Awaited<ReturnType<typeof connect>>;
  let modes: Map<string, string> | undefined;
  try {
    target = await connect({ kubeconfig: values.kubeconfig, context: values.context });
    server = target.server;
    const timeoutMs = Number(values['request-timeout']) * 1000;
    report = await audit(target, {
      namespace: values.namespace,
      pageSize: Number(values['page-size']),
      timeoutMs,
      // Exemptions are judged as on that day: an allow-until before it has expired.
      ...(on ? { now: on } : {}),
    });
    if (on) {
      try {
        modes = await namespaceModes(target, timeoutMs);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        report.problems.push({
          kind: 'Namespace',
          status: err.status,
          message:
            `${err.message}. Without 'list' on namespaces the audit cannot leave out namespaces labelled ` +
            `${MODE_LABEL}=warn or off: their findings are listed too.`,
        });
      }
    }
  } catch (err) {
    const reason =
      err instanceof ApiError || err instanceof KubeconfigError
        ? err.message
        : `cannot read the cluster configuration: ${(err as Error).message}`;
    process.stderr.write(`${safeLine(`oneproc audit: ${reason}`)}\n`);
    return 2;
  }

  // Object names and the server's messages come from the cluster: printed as safely as check's output.
  for (const p of report.problems)
    process.stderr.write(`${safeLine(`oneproc audit: ${p.kind}: ${p.message}`)}\n`);
  if (day !== undefined) {
    const all = report.findings.length;
    report = { ...report, findings: report.findings.filter((f) => rejectedOn(f, modes)) };
    process.stderr.write(
      `oneproc audit: ${report.findings.length} of ${all} findings would be rejected by enforce mode on ${day} ` +
        '(00:00 UTC) when their object is created, or changed for the worse; an update that keeps an existing ' +
        'violation is admitted with a warning.\n',
    );
  }
  const checked = { documents: report.checked.objects, containers: report.checked.containers };
  const strict = values.strict;
  if (values.format === 'json') {
    const json = {
      ...toJsonReport(report.findings, checked),
      ...(day !== undefined ? { enforceAfter: day } : {}),
      folded: report.checked.folded,
      problems: report.problems,
    };
    process.stdout.write(`${safeJson(JSON.stringify(json, null, 2))}\n`);
  } else if (values.format === 'html') {
    process.stdout.write(
      formatHtml(report.findings, checked, [], {
        command: 'audit',
        strict,
        inputErrors: report.problems.map((p) => `${p.kind}: ${p.message}`),
        generated: new Date(),
      }),
    );
  } else if (values.format === 'policyreport') {
    const reports = policyReports(
      report.objects,
      report.findings,
      values['report-api'] as ReportApi,
      new Date(),
    );
    if (!values.apply) process.stdout.write(reports.map((r) => safeYaml(r)).join('---\n'));
    else if (!(await applyReports(target, reports, Number(values['request-timeout']) * 1000))) return 2;
  } else if (values.format === 'sarif') {
    const inputErrors = report.problems.map((p) => new InputError(`${p.kind}: ${p.message}`, server));
    process.stdout.write(formatSarif(report.findings, { cwd: process.cwd(), inputErrors }));
  } else {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(
      formatText(report.findings, checked, { color, strict, inputErrors: report.problems.length }),
    );
  }
  if (report.problems.length > 0) return 2;
  const failing = report.findings.some(
    (f) => !f.exempted && (f.severity === 'error' || (strict && f.severity === 'warning')),
  );
  return failing ? 1 : 0;
}

/**
 * Writes each report by server-side apply, as field manager `oneproc`; says on standard output what was
 * applied and on standard error what was not (a 404 means the report API's CRD is not installed).
 */
async function applyReports(
  target: { apply: (path: string, object: unknown, manager: string, timeoutMs: number) => Promise<unknown> },
  reports: readonly PolicyReportObject[],
  timeoutMs: number,
): Promise<boolean> {
  let ok = true;
  for (const r of reports) {
    const name = `${r.kind} ${r.metadata.namespace ? `${r.metadata.namespace}/` : ''}${r.metadata.name}`;
    try {
      await target.apply(reportPath(r), r, 'oneproc', timeoutMs);
      process.stdout.write(
        `${safeLine(`applied ${name}: ${r.summary.fail} fail, ${r.summary.warn} warn, ${r.summary.skip} skip, ${r.summary.pass} pass`)}\n`,
      );
    } catch (err) {
      ok = false;
      const e = err as ApiError;
      const hint =
        e.status === 404
          ? ` — is the ${r.apiVersion} CRD installed? (Kyverno and Policy Reporter install it; see docs/report.md)`
          : e.status === 403
            ? ` — the audit needs 'patch' on ${r.kind.toLowerCase()}s.${r.apiVersion.split('/')[0]} to apply reports`
            : '';
      process.stderr.write(`${safeLine(`oneproc audit: cannot apply ${name}: ${e.message}${hint}`)}\n`);
    }
  }
  return ok;
}

/**
 * Whether enforce mode rejects a finding on the escalation day: an error (or a container oneproc could
 * not judge) that no exemption covers, in a namespace whose `oneproc.dev/mode` label is not `warn` or
 * `off` (src/webhook/review.ts decides the same; the webhook configuration routes by that label).
 */
function rejectedOn(finding: Finding, modes: Map<string, string> | undefined): boolean {
  if (finding.exempted) return false;
  if (finding.severity !== 'error' && !UNJUDGED_RULES.has(finding.rule)) return false;
  const mode = modes?.get(finding.origin?.namespace ?? '');
  return mode !== 'warn' && mode !== 'off';
}

/** The `oneproc.dev/mode` label of each namespace that has one. Throws ApiError. */
async function namespaceModes(target: ClusterTarget, timeoutMs: number): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  let token: string | undefined;
  // A cluster has at most thousands of namespaces; 100 pages of 500 bound a misbehaving server.
  for (let page = 0; page < 100; page++) {
    const query = `?labelSelector=${encodeURIComponent(MODE_LABEL)}&limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const list = (await target.get(`/api/v1/namespaces${query}`, timeoutMs)) as {
      items?: unknown;
      metadata?: { continue?: unknown };
    };
    for (const item of Array.isArray(list?.items) ? list.items : []) {
      const meta = (item as { metadata?: { name?: unknown; labels?: Record<string, unknown> } })?.metadata;
      const mode = meta?.labels?.[MODE_LABEL];
      if (typeof meta?.name === 'string' && typeof mode === 'string') modes.set(meta.name, mode);
    }
    const next = list?.metadata?.continue;
    token = typeof next === 'string' && next !== '' ? next : undefined;
    if (!token) break;
  }
  return modes;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      format: { type: 'string', short: 'f', default: 'text' },
      'report-api': { type: 'string', default: 'wgpolicyk8s.io/v1alpha2' },
      apply: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'page-size': { type: 'string', default: '500' },
      'request-timeout': { type: 'string', default: '30' },
      'enforce-after': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
