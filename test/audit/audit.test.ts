/**
 * `oneproc audit` against a local HTTPS stand-in for the API server (see fake-apiserver.ts): no
 * Kubernetes API server can run on the test machine, so the stand-in answers the list calls as the
 * API server does — paging, a 403, a 410 for an expired continue token, a slow answer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { audit, connect } from '../../src/audit';
import { CLUSTER } from './cluster';
import { type FakeApi, kubeconfig, makeTls, startFakeApi, type Tls } from './fake-apiserver';

const TOKEN = 'audit-token-123';

let tls: Tls;
let dir: string;
const servers: FakeApi[] = [];

beforeAll(async () => {
  tls = await makeTls();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-audit-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cluster(extra: Partial<Parameters<typeof startFakeApi>[0]> = {}) {
  const api = await startFakeApi({ tls, token: TOKEN, objects: CLUSTER, ...extra });
  servers.push(api);
  const file = path.join(dir, `kubeconfig-${servers.length}`);
  fs.writeFileSync(file, kubeconfig(api.url, tls, TOKEN));
  return { api, target: await connect({ kubeconfig: file }), file };
}

describe('audit', () => {
  it('reports findings per workload, folding controller-owned pods, replicasets and jobs into their owners', async () => {
    const { target } = await cluster();
    const report = await audit(target, { pageSize: 2 });
    const summary = report.findings.map(
      (f) => `${f.origin.kind} ${f.origin.namespace}/${f.origin.name} ${f.rule} ${f.workers} ${f.path}`,
    );
    expect(summary.sort()).toEqual([
      'CronJob shop/report gunicorn 2 spec.jobTemplate.spec.template.spec.containers[0].command[1]',
      'Deployment shop/web uvicorn 4 spec.template.spec.containers[0].command[3]',
      'Pod shop/debug gunicorn 3 spec.containers[0].command[2]',
    ]);
    expect(report.checked).toEqual({ objects: 4, containers: 4, folded: 5 });
    expect(report.problems).toEqual([]);
  });

  it('follows continue tokens page by page with the limit it was given', async () => {
    const { api, target } = await cluster();
    await audit(target, { pageSize: 2 });
    expect(api.requests.filter((r) => r.startsWith('/api/v1/pods'))).toEqual([
      '/api/v1/pods?limit=2',
      `/api/v1/pods?limit=2&continue=${encodeURIComponent(Buffer.from('2').toString('base64'))}`,
    ]);
  });

  it('lists one namespace when asked', async () => {
    const { api, target } = await cluster();
    await audit(target, { namespace: 'shop' });
    expect(api.requests).toContain('/apis/apps/v1/namespaces/shop/deployments?limit=500');
    expect(api.requests).toContain('/apis/batch/v1/namespaces/shop/cronjobs?limit=500');
  });

  it('reports a forbidden kind with the RBAC it needs and audits the others', async () => {
    const { target } = await cluster({ forbidden: ['pods'] });
    const report = await audit(target);
    expect(report.problems).toEqual([
      {
        kind: 'Pod',
        status: 403,
        message: expect.stringContaining("The audit needs 'list' on pods"),
      },
    ]);
    expect(report.problems[0].message).toContain('cannot list resource "pods"');
    expect(report.findings.map((f) => f.origin.name).sort()).toEqual(['report', 'web']);
  });

  it('restarts a list whose continue token expired (410) and loses nothing', async () => {
    const { api, target } = await cluster({ expireFirstContinue: ['pods'] });
    const report = await audit(target, { pageSize: 2 });
    expect(report.problems).toEqual([]);
    expect(report.findings.map((f) => f.origin.name).sort()).toEqual(['debug', 'report', 'web']);
    expect(api.requests.filter((r) => r.startsWith('/api/v1/pods')).length).toBe(4);
  });

  it('gives up on a slow answer after the timeout and says which list', async () => {
    const { target } = await cluster({ slow: { deployments: 3000 } });
    const report = await audit(target, { timeoutMs: 300 });
    expect(report.problems).toEqual([
      {
        kind: 'Deployment',
        status: 0,
        message: expect.stringMatching(/deployments\?limit=500: no answer within 0.3 s$/),
      },
    ]);
  });

  it('fails with the server named when nothing answers', async () => {
    const file = path.join(dir, 'kubeconfig-down');
    fs.writeFileSync(file, kubeconfig('https://127.0.0.1:1', tls, TOKEN));
    const target = await connect({ kubeconfig: file });
    await expect(audit(target)).rejects.toThrow(
      /GET https:\/\/127\.0\.0\.1:1\/apis\/apps\/v1\/deployments\?limit=500: connect ECONNREFUSED/,
    );
  });

  it('refuses a context the kubeconfig does not have', async () => {
    const { file } = await cluster();
    await expect(connect({ kubeconfig: file, context: 'nope' })).rejects.toThrow(
      "context 'nope' is not in the kubeconfig",
    );
    await expect(connect({ kubeconfig: file, context: 'other' })).resolves.toMatchObject({
      context: 'other',
    });
  });
});
