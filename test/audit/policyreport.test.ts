/**
 * `oneproc audit --format policyreport`: the reports validate against the published CRDs' schemas
 * (the fields, required keys and enums of wgpolicyk8s.io/v1alpha2 PolicyReport and openreports.io/v1alpha1
 * Report, written out below as a small OpenAPI subset), and say per workload and container what the
 * audit found — through the built CLI against the local API-server stand-in.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { policyReports } from '../../src/audit';
import type { Finding } from '../../src/types';
import { CLUSTER } from './cluster';
import { type FakeApi, kubeconfig, makeTls, startFakeApi } from './fake-apiserver';

const exec = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'report-token';

/** The OpenAPI v3 subset the two CRDs use: object, array, string, integer, boolean, enum, required. */
interface Schema {
  type: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  enum?: readonly string[];
  required?: readonly string[];
}

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const objectReference: Schema = {
  type: 'object',
  properties: {
    apiVersion: str,
    fieldPath: str,
    kind: str,
    name: str,
    namespace: str,
    resourceVersion: str,
    uid: str,
  },
};
/** Both CRDs: severity critical|high|low|medium|info (the first v1alpha2 CRD: high|low|medium). */
const result = (severity: readonly string[]): Schema => ({
  type: 'object',
  required: ['policy'],
  properties: {
    source: str,
    policy: str,
    rule: str,
    category: str,
    severity: { type: 'string', enum: severity },
    timestamp: { type: 'object', required: ['nanos', 'seconds'], properties: { nanos: int, seconds: int } },
    result: { type: 'string', enum: ['pass', 'fail', 'warn', 'error', 'skip'] },
    scored: { type: 'boolean' },
    resources: { type: 'array', items: objectReference },
    message: str,
    properties: { type: 'object', additionalProperties: str },
  },
});
const report = (severity: readonly string[], topSource: boolean): Schema => ({
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: { type: 'object' },
    ...(topSource ? { source: str } : {}),
    scope: objectReference,
    summary: { type: 'object', properties: { pass: int, fail: int, warn: int, error: int, skip: int } },
    results: { type: 'array', items: result(severity) },
  },
});
const SCHEMAS = {
  // kubernetes-sigs/wg-policy-prototypes policy-report/crd/v1alpha2 (the narrower, first severity enum).
  'wgpolicyk8s.io/v1alpha2': report(['high', 'low', 'medium'], false),
  // openreports/reports-api apis/openreports.io/v1alpha1 report_types.go.
  'openreports.io/v1alpha1': report(['critical', 'high', 'low', 'medium', 'info'], true),
} as const;

/** Every way `value` breaks `schema` (structural: unknown fields are errors, as a strict apply makes them). */
function violations(value: unknown, schema: Schema, at = ''): string[] {
  const out: string[] = [];
  const type = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type !== schema.type) return [`${at || '.'}: ${type}, not ${schema.type}`];
  if (schema.enum && !schema.enum.includes(value as string))
    out.push(`${at}: '${value}' not in ${schema.enum}`);
  if (schema.type === 'array' && schema.items)
    (value as unknown[]).forEach((v, i) => {
      out.push(...violations(v, schema.items as Schema, `${at}[${i}]`));
    });
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) out.push(`${at}.${key}: required`);
    if (schema.properties || schema.additionalProperties) {
      for (const [key, v] of Object.entries(obj)) {
        const sub = schema.properties?.[key] ?? schema.additionalProperties;
        if (!sub) out.push(`${at}.${key}: not in the schema`);
        else out.push(...violations(v, sub, `${at}.${key}`));
      }
    }
  }
  return out;
}

let api: FakeApi;
let dir: string;
let config: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/audit.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  const tls = await makeTls();
  api = await startFakeApi({ tls, token: TOKEN, objects: CLUSTER, reportApis: ['wgpolicyk8s.io/v1alpha2'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-report-'));
  config = path.join(dir, 'kubeconfig');
  fs.writeFileSync(config, kubeconfig(api.url, tls, TOKEN));
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function audit(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', [path.join(ROOT, 'bin/oneproc.js'), 'audit', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])(
  'audit --format policyreport (%s)',
  (apiVersion) => {
    let docs: Record<string, unknown>[];
    let code: number;

    beforeAll(async () => {
      const run = await audit([
        '--kubeconfig',
        config,
        '--format',
        'policyreport',
        '--report-api',
        apiVersion,
      ]);
      code = run.code;
      expect(run.stderr).toBe('');
      docs = parseAllDocuments(run.stdout).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS() as Record<string, unknown>;
      });
    });

    it('exits as the audit does: 1 when a workload fails', () => {
      expect(code).toBe(1);
    });

    it('prints one report per namespace that validates against the CRD schema', () => {
      const kind = apiVersion === 'openreports.io/v1alpha1' ? 'Report' : 'PolicyReport';
      expect(
        docs.map((d) => [d.apiVersion, d.kind, (d.metadata as { namespace?: string }).namespace]),
      ).toEqual([[apiVersion, kind, 'shop']]);
      for (const d of docs) expect(violations(d, SCHEMAS[apiVersion])).toEqual([]);
    });

    it('has one result per workload and container, referencing the workload', () => {
      const results = docs[0]?.results as {
        result: string;
        rule: string;
        severity: string;
        resources: { kind: string; name: string; namespace: string; uid?: string; fieldPath?: string }[];
        properties: Record<string, string>;
      }[];
      const rows = results.map((r) => [
        r.resources[0]?.kind,
        r.resources[0]?.name,
        r.rule,
        r.result,
        r.properties.workers,
      ]);
      expect(rows).toEqual(
        expect.arrayContaining([
          ['Deployment', 'web', 'uvicorn', 'fail', '4'],
          ['CronJob', 'report', 'gunicorn', 'fail', '2'],
          ['Pod', 'debug', 'gunicorn', 'fail', '3'],
        ]),
      );
      const web = results.find((r) => r.resources[0]?.name === 'web');
      expect(web?.resources[0]).toMatchObject({ apiVersion: 'apps/v1', namespace: 'shop', uid: 'd-web' });
      expect(web?.resources[0]?.fieldPath).toMatch(/^spec\.template\.spec\.containers\[0\]\.command\[\d\]$/);
      expect(web?.properties.container).toBe('app');
      expect(web?.severity).toBe('high');
      // The summary counts the results.
      const summary = docs[0]?.summary as Record<string, number>;
      expect(summary.fail).toBe(results.filter((r) => r.result === 'fail').length);
      expect(summary.pass + summary.fail + summary.warn + summary.skip + summary.error).toBe(results.length);
    });
  },
);

describe('audit --format policyreport --apply', () => {
  it('writes each report by server-side apply as field manager oneproc', async () => {
    const before = api.applied.length;
    const run = await audit(['--kubeconfig', config, '--format', 'policyreport', '--apply']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^applied PolicyReport shop\/oneproc: 3 fail, 0 warn, 0 skip, \d+ pass\n$/);
    const [sent] = api.applied.slice(before);
    expect(sent).toMatchObject({
      path: '/apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/oneproc',
      query: { fieldManager: 'oneproc', force: 'true' },
      contentType: 'application/apply-patch+yaml',
    });
    expect(violations(sent?.body, SCHEMAS['wgpolicyk8s.io/v1alpha2'])).toEqual([]);
  });

  it('says when the report API is not installed, and exits 2', async () => {
    const run = await audit([
      '--kubeconfig',
      config,
      '--format',
      'policyreport',
      '--apply',
      '--report-api',
      'openreports.io/v1alpha1',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('oneproc audit: cannot apply Report shop/oneproc: PATCH https://127.0.0.1:');
    expect(run.stderr).toContain('is the openreports.io/v1alpha1 CRD installed?');
  });

  it('goes only with --format policyreport', async () => {
    const run = await audit(['--kubeconfig', config, '--apply']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--apply goes with --format policyreport');
  });
});

describe('policyReports', () => {
  const base = {
    category: 'web' as const,
    path: 'spec.containers[0].args[1]',
    origin: { kind: 'Pod', namespace: 'a', name: 'p', container: 'c' },
  };
  const pod = (ns: string | undefined, name: string) => ({
    kind: 'Pod',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, ...(ns ? { namespace: ns } : {}) },
      spec: { containers: [{ name: 'c' }, { name: 'side' }] },
    },
  });
  const now = new Date('2026-12-07T00:00:00Z');

  it('says pass for a clean container, warn for a warning and skip for an exemption', () => {
    const findings: Finding[] = [
      { ...base, rule: 'gunicorn', severity: 'warning', message: 'maybe', workers: null },
      {
        ...base,
        rule: 'uvicorn',
        severity: 'error',
        message: 'four',
        workers: 4,
        exempted: { reason: 'ticket 9', until: '2027-01-31' },
        origin: { ...base.origin, container: 'side' },
      },
    ];
    const [r] = policyReports([pod('a', 'p')], findings, 'wgpolicyk8s.io/v1alpha2', now);
    expect(r?.results.map((x) => [x.properties?.container, x.result])).toEqual([
      ['c', 'warn'],
      ['side', 'skip'],
    ]);
    expect(r?.results[1]?.properties).toMatchObject({ exemption: 'ticket 9', exemptUntil: '2027-01-31' });
    expect(r?.summary).toEqual({ pass: 0, fail: 0, warn: 1, error: 0, skip: 1 });
    const [clean] = policyReports([pod('a', 'p')], [], 'wgpolicyk8s.io/v1alpha2', now);
    expect(clean?.results.map((x) => x.result)).toEqual(['pass', 'pass']);
    expect(clean?.results[0]?.timestamp).toEqual({ seconds: 1796601600, nanos: 0 });
  });

  it('puts objects without a namespace in the cluster-scoped report', () => {
    const reports = policyReports([pod(undefined, 'x'), pod('b', 'y')], [], 'openreports.io/v1alpha1', now);
    expect(reports.map((r) => [r.kind, r.metadata.namespace, r.source])).toEqual([
      ['ClusterReport', undefined, 'oneproc'],
      ['Report', 'b', 'oneproc'],
    ]);
  });

  it('never drops a finding whose object was not listed', () => {
    const f: Finding = { ...base, rule: 'uvicorn', severity: 'error', message: 'm', workers: 2 };
    const [r] = policyReports([], [f], 'wgpolicyk8s.io/v1alpha2', now);
    expect(r?.results.map((x) => [x.resources?.[0]?.name, x.result])).toEqual([['p', 'fail']]);
  });
});
