/**
 * `oneproc audit --enforce-after DAY`: what the webhook's enforce mode would reject on the day a dated
 * escalation (`oneproc serve --enforce-after`, chart value `enforceAfter`) takes effect. The built CLI
 * against the local API-server stand-in.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER } from './cluster';
import { type FakeApi, kubeconfig, makeTls, startFakeApi, type Tls } from './fake-apiserver';

const exec = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'escalation-token';
const UVICORN4 = ['uvicorn', 'main:app', '--workers', '4'];

let tls: Tls;
let dir: string;
const apis: FakeApi[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/audit.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  tls = await makeTls();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-audit-escalation-'));
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function deployment(name: string, namespace: string, annotations: Record<string, string> = {}) {
  return {
    metadata: { name, namespace, uid: `d-${namespace}-${name}`, annotations },
    spec: {
      template: {
        metadata: {},
        spec: { containers: [{ name: 'app', image: 'python:3.12', command: UVICORN4 }] },
      },
    },
  };
}

/** CLUSTER (namespace shop, no label) plus exemptions that end before and after the day, and labelled namespaces. */
const objects = {
  ...CLUSTER,
  deployments: [
    ...CLUSTER.deployments,
    deployment('legacy', 'shop', {
      'oneproc.dev/allow-multiple-workers': 'sessions in memory',
      'oneproc.dev/allow-until': '2027-01-15',
    }),
    deployment('kept', 'shop', {
      'oneproc.dev/allow-multiple-workers': 'sessions in memory',
      'oneproc.dev/allow-until': '2027-12-31',
    }),
    deployment('batch-api', 'batch'),
    deployment('strict-api', 'strict'),
  ],
  namespaces: [
    { metadata: { name: 'shop' } },
    { metadata: { name: 'batch', labels: { 'oneproc.dev/mode': 'warn' } } },
    { metadata: { name: 'strict', labels: { 'oneproc.dev/mode': 'enforce' } } },
  ],
};

async function kubeconfigFor(extra: Partial<Parameters<typeof startFakeApi>[0]> = {}): Promise<string> {
  const api = await startFakeApi({ tls, token: TOKEN, objects, ...extra });
  apis.push(api);
  const file = path.join(dir, `kubeconfig-${apis.length}`);
  fs.writeFileSync(file, kubeconfig(api.url, tls, TOKEN));
  return file;
}

async function oneproc(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', [path.join(ROOT, 'bin/oneproc.js'), 'audit', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const names = (stdout: string) =>
  (JSON.parse(stdout).findings as { kind: string; namespace: string; name: string }[]).map(
    (f) => `${f.kind} ${f.namespace}/${f.name}`,
  );

describe('oneproc audit --enforce-after', () => {
  it('lists what enforce mode would reject on that day: expired exemptions in, warn namespaces out', async () => {
    const file = await kubeconfigFor();
    const { code, stdout, stderr } = await oneproc([
      '--kubeconfig',
      file,
      '--format',
      'json',
      '--enforce-after',
      '2027-01-31',
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'oneproc audit: 5 of 7 findings would be rejected by enforce mode on 2027-01-31 (00:00 UTC) when their ' +
        'object is created, or changed for the worse; an update that keeps an existing violation is admitted ' +
        'with a warning.\n',
    );
    expect(names(stdout)).toEqual([
      'Deployment shop/web',
      'Deployment shop/legacy',
      'Deployment strict/strict-api',
      'CronJob shop/report',
      'Pod shop/debug',
    ]);
    expect(JSON.parse(stdout).enforceAfter).toBe('2027-01-31');
  });

  it('a day before the exemption ends leaves it out', async () => {
    const file = await kubeconfigFor();
    const { stdout } = await oneproc(['--kubeconfig', file, '-f', 'json', '--enforce-after', '2027-01-10']);
    expect(names(stdout)).not.toContain('Deployment shop/legacy');
  });

  it('says so and lists labelled namespaces too when it may not list namespaces (exit 2)', async () => {
    const file = await kubeconfigFor({ forbidden: ['namespaces'] });
    const { code, stdout, stderr } = await oneproc([
      '--kubeconfig',
      file,
      '-f',
      'json',
      '--enforce-after',
      '2027-01-31',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('oneproc audit: Namespace: ');
    expect(stderr).toContain(
      "Without 'list' on namespaces the audit cannot leave out namespaces labelled oneproc.dev/mode=warn or off",
    );
    expect(names(stdout)).toContain('Deployment batch/batch-api');
  });

  it('refuses a day that is not a calendar date', async () => {
    const { code, stderr } = await oneproc(['--enforce-after', '2027-02-29']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "oneproc audit: --enforce-after takes a calendar date written YYYY-MM-DD (UTC), not '2027-02-29'",
    );
  });
});
