/** `oneproc audit` as a user runs it: the built CLI against the local API-server stand-in. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER } from './cluster';
import { type FakeApi, kubeconfig, makeTls, startFakeApi, type Tls } from './fake-apiserver';

const exec = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'cli-token';

let tls: Tls;
let dir: string;
const apis: FakeApi[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/audit.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  tls = await makeTls();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-audit-cli-'));
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function kubeconfigFor(extra: Partial<Parameters<typeof startFakeApi>[0]> = {}): Promise<string> {
  const api = await startFakeApi({ tls, token: TOKEN, objects: CLUSTER, ...extra });
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

describe('oneproc audit', () => {
  it('prints the findings as JSON with the folded count and exits 1', async () => {
    const file = await kubeconfigFor();
    const { code, stdout, stderr } = await oneproc(['--kubeconfig', file, '--format', 'json']);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const report = JSON.parse(stdout);
    expect(
      report.findings.map((f: { kind: string; name: string; rule: string; workers: number }) => [
        f.kind,
        f.name,
        f.rule,
        f.workers,
      ]),
    ).toEqual([
      ['Deployment', 'web', 'uvicorn', 4],
      ['CronJob', 'report', 'gunicorn', 2],
      ['Pod', 'debug', 'gunicorn', 3],
    ]);
    expect(report.checked).toEqual({ documents: 4, containers: 4 });
    expect(report.folded).toBe(5);
    expect(report.problems).toEqual([]);
  });

  it('reports a forbidden kind on stderr, still prints the rest, and exits 2', async () => {
    const file = await kubeconfigFor({ forbidden: ['cronjobs'] });
    const { code, stdout, stderr } = await oneproc(['--kubeconfig', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('oneproc audit: CronJob: GET https://127.0.0.1:');
    expect(stderr).toContain("The audit needs 'list' on cronjobs");
    expect(stdout).toContain('Deployment shop/web');
  });

  it('prints hostile names from the cluster without letting them act on a terminal or CI log', async () => {
    const name = 'debug\u009b2J\u202e';
    const container = 'app\n::error::pwned\u001b[1A';
    const pod = {
      metadata: { name, namespace: 'shop', uid: 'p-hostile' },
      spec: {
        containers: [{ name: container, image: 'python:3.12', command: ['gunicorn', '-w', '3', 'app:app'] }],
      },
    };
    const file = await kubeconfigFor({ objects: { pods: [pod] } });
    const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
    const text = await oneproc(['--kubeconfig', file]);
    expect(text.stdout.replaceAll('\n', '')).not.toMatch(CONTROL);
    expect(text.stdout).toContain('Pod shop/debug\\u009b2J\\u202e  container app\\n::error::pwned\\u001b[1A');
    const json = await oneproc(['--kubeconfig', file, '--format', 'json']);
    expect(json.stdout.replaceAll('\n', '')).not.toMatch(CONTROL);
    expect(JSON.parse(json.stdout).findings[0]).toMatchObject({ name, container });
  });

  it('names the server it cannot reach and exits 2', async () => {
    const file = path.join(dir, 'down');
    fs.writeFileSync(file, kubeconfig('https://127.0.0.1:1', tls, TOKEN));
    const { code, stderr } = await oneproc(['--kubeconfig', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^oneproc audit: GET https:\/\/127\.0\.0\.1:1\/apis\/apps\/v1\/deployments\?limit=500: connect ECONNREFUSED/,
    );
  });

  it('answers a missing kubeconfig and bad flags with exit 2 and a clear message', async () => {
    const missing = await oneproc(['--kubeconfig', path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('oneproc audit: cannot read the cluster configuration');
    const bad = await oneproc(['--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown --format 'xml'");
    expect((await oneproc(['--page-size', '0'])).stderr).toContain(
      "--page-size takes a positive number, not '0'",
    );
  });
});
