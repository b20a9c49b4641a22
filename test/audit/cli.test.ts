/** `oneproc audit` as a user runs it: the built CLI against the local API-server stand-in. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { connect } from '../../src/audit';
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

async function oneproc(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await exec('node', [path.join(ROOT, 'bin/oneproc.js'), 'audit', ...args], {
      env,
    });
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
    expect(missing.stderr).toContain(
      `oneproc audit: the kubeconfig ${path.join(dir, 'nope')} (from --kubeconfig) does not exist\n`,
    );
    const bad = await oneproc(['--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown --format 'xml'");
    expect((await oneproc(['--page-size', '0'])).stderr).toContain(
      "--page-size takes a positive number, not '0'",
    );
  });
});

describe('oneproc audit says what is wrong with the cluster configuration, and what to do', () => {
  const SHAPE = 'a kubeconfig is the YAML kubectl writes, with clusters, users and contexts';

  it('--kubeconfig /dev/null: empty, not a crash on undefined', async () => {
    const { code, stderr } = await oneproc(['--kubeconfig', '/dev/null']);
    expect(code).toBe(2);
    expect(stderr).toBe(`oneproc audit: the kubeconfig /dev/null (from --kubeconfig) is empty: ${SHAPE}\n`);
  });

  it('a file that is not a kubeconfig, or has no clusters, or is not YAML', async () => {
    const list = path.join(dir, 'list.yaml');
    fs.writeFileSync(list, '- a\n- b\n');
    expect((await oneproc(['--kubeconfig', list])).stderr).toBe(
      `oneproc audit: the kubeconfig ${list} (from --kubeconfig) is not a kubeconfig: ${SHAPE}\n`,
    );
    const bare = path.join(dir, 'bare.yaml');
    fs.writeFileSync(bare, 'apiVersion: v1\nkind: Config\n');
    expect((await oneproc(['--kubeconfig', bare])).stderr).toBe(
      `oneproc audit: the kubeconfig ${bare} (from --kubeconfig) lists no clusters: ${SHAPE}\n`,
    );
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'clusters:\n  - name: [unclosed\n');
    expect((await oneproc(['--kubeconfig', broken])).stderr).toMatch(
      /^oneproc audit: the kubeconfig .*broken\.yaml \(from --kubeconfig\) is not valid YAML \(line \d\): /,
    );
  });

  it('KUBECONFIG naming a missing file is named as such', async () => {
    const gone = path.join(dir, 'gone');
    const { code, stderr } = await oneproc([], { PATH: process.env.PATH, HOME: dir, KUBECONFIG: gone });
    expect(code).toBe(2);
    expect(stderr).toBe(`oneproc audit: the kubeconfig ${gone} (from KUBECONFIG) does not exist\n`);
  });

  it('no kubeconfig anywhere: says where it looked, not "HTTP protocol is not allowed"', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    await expect(
      connect({ env: { HOME: home }, serviceAccountToken: path.join(home, 'no-token') }),
    ).rejects.toThrow(
      `no cluster to audit: --kubeconfig is not given, KUBECONFIG is not set, ${path.join(home, '.kube', 'config')} does not exist, ` +
        'and this is not a pod with a service-account token. Point --kubeconfig (or KUBECONFIG) at the ' +
        'kubeconfig kubectl uses, or run the audit in the cluster (docs/audit.md)',
    );
  });

  it('~/.kube/config is found and checked like any other', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    fs.mkdirSync(path.join(home, '.kube'));
    fs.writeFileSync(path.join(home, '.kube', 'config'), '');
    const { code, stderr } = await oneproc([], { PATH: process.env.PATH, HOME: home });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `oneproc audit: the kubeconfig ${path.join(home, '.kube', 'config')} (from ~/.kube/config) is empty: ${SHAPE}\n`,
    );
  });

  it('a plain-HTTP server and a missing current-context say what to change', async () => {
    const http = path.join(dir, 'http.yaml');
    fs.writeFileSync(
      http,
      'clusters: [{name: local, cluster: {server: "http://127.0.0.1:8080"}}]\n' +
        'users: [{name: me, user: {}}]\ncontexts: [{name: local, context: {cluster: local, user: me}}]\n' +
        'current-context: local\n',
    );
    expect((await oneproc(['--kubeconfig', http])).stderr).toBe(
      "oneproc audit: the cluster 'local' is served over plain HTTP (http://127.0.0.1:8080): the audit connects " +
        'over HTTPS only; for a local test server, set insecure-skip-tls-verify: true on that cluster in the kubeconfig\n',
    );
    const noCurrent = path.join(dir, 'no-current.yaml');
    fs.writeFileSync(
      noCurrent,
      'clusters: [{name: a, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'users: [{name: me, user: {}}]\ncontexts: [{name: prod, context: {cluster: a, user: me}}]\n',
    );
    expect((await oneproc(['--kubeconfig', noCurrent])).stderr).toBe(
      'oneproc audit: the kubeconfig has no current-context: pass --context NAME (its contexts: prod)\n',
    );
    expect((await oneproc(['--kubeconfig', noCurrent, '--context', 'dev'])).stderr).toBe(
      "oneproc audit: context 'dev' is not in the kubeconfig (its contexts: prod)\n",
    );
  });
});
