/**
 * Runs the real helm binary (installed into .tools/ by scripts/tools.sh) on charts/oneproc, and a
 * minimal Kubernetes API (discovery plus GET of Secrets) on 127.0.0.1 for what needs a cluster:
 * `lookup` on upgrade, NOTES.txt from `helm install --dry-run`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const REPO = path.join(__dirname, '..', '..');
export const CHART = path.join(REPO, 'charts', 'oneproc');
export const HELM = path.join(REPO, '.tools', 'bin', 'helm');

export function requireHelm(): string {
  if (!fs.existsSync(HELM)) {
    throw new Error(
      `helm is not installed at ${HELM}. Install it with: bash scripts/tools.sh (npm test does this)`,
    );
  }
  return HELM;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked field by field in the tests
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  [key: string]: any;
};

export interface RenderOptions {
  release?: string;
  namespace?: string;
  kubeVersion?: string;
  /** Extra helm arguments, e.g. `--dry-run=server --kube-apiserver URL`. */
  args?: string[];
}

function setArgs(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['--set-json', `${key}=${JSON.stringify(value)}`]);
}

/** `helm template` with `--set-json` values; resolves to the parsed documents. */
export async function template(
  values: Record<string, unknown> = {},
  options: RenderOptions = {},
): Promise<K8sObject[]> {
  const out = await templateText(values, options);
  return parseAllDocuments(out)
    .map((d) => {
      if (d.errors.length) throw new Error(`helm rendered invalid YAML: ${d.errors[0].message}`);
      return d.toJSON() as K8sObject | null;
    })
    .filter((d): d is K8sObject => d !== null);
}

export async function templateText(
  values: Record<string, unknown> = {},
  options: RenderOptions = {},
): Promise<string> {
  const args = [
    'template',
    options.release ?? 'oneproc',
    CHART,
    '--namespace',
    options.namespace ?? 'oneproc-system',
    ...(options.kubeVersion ? ['--kube-version', options.kubeVersion] : []),
    ...setArgs(values),
    ...(options.args ?? []),
  ];
  const { stdout } = await run(requireHelm(), args, { maxBuffer: 32 * 1024 * 1024, env: helmEnv() });
  return stdout;
}

/** Runs helm expecting failure; resolves to its error output. */
export async function templateError(
  values: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<string> {
  try {
    await templateText(values, options);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`helm template succeeded with ${JSON.stringify(values)}; expected it to fail`);
}

export async function helm(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(requireHelm(), args, {
      maxBuffer: 32 * 1024 * 1024,
      env: helmEnv(),
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** Keeps helm away from the user's kubeconfig, cache and plugins. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = path.join(REPO, '.tools', 'helm-home');
  return {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: path.join(home, 'no-kubeconfig'),
  };
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  }
  return found[0];
}

interface Resource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const GROUPS: Record<string, Resource[]> = {
  v1: [
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
  ],
  'apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  ],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'networking.k8s.io/v1': [{ name: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true }],
  'admissionregistration.k8s.io/v1': [
    { name: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  ],
};
const CERT_MANAGER: Record<string, Resource[]> = {
  'cert-manager.io/v1': [
    { name: 'issuers', kind: 'Issuer', namespaced: true },
    { name: 'certificates', kind: 'Certificate', namespaced: true },
  ],
};

export interface FakeApiServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves API discovery for the kinds the chart renders (plus cert-manager.io/v1 when asked) and GET of
 * the given Secrets (keyed `namespace/name`). Everything else is 404.
 */
export async function startFakeApiServer(
  options: { secrets?: Record<string, unknown>; certManager?: boolean; gitVersion?: string } = {},
): Promise<FakeApiServer> {
  const groups = { ...GROUPS, ...(options.certManager ? CERT_MANAGER : {}) };
  const requests: string[] = [];
  const json = (res: http.ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    requests.push(`${req.method} ${url}`);
    const gitVersion = options.gitVersion ?? 'v1.30.4';
    const [major, minor] = gitVersion.slice(1).split('.');
    if (url === '/version') return json(res, 200, { major, minor, gitVersion, platform: 'linux/amd64' });
    if (url === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (url === '/apis') {
      return json(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: Object.keys(groups)
          .filter((gv) => gv.includes('/'))
          .map((gv) => {
            const [name, version] = gv.split('/');
            return {
              name,
              versions: [{ groupVersion: gv, version }],
              preferredVersion: { groupVersion: gv, version },
            };
          }),
      });
    }
    const gv = url === '/api/v1' ? 'v1' : url.startsWith('/apis/') ? url.slice('/apis/'.length) : '';
    if (groups[gv]) {
      return json(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gv,
        resources: groups[gv].map((r) => ({
          name: r.name,
          singularName: r.kind.toLowerCase(),
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'],
        })),
      });
    }
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url);
    if (secret && req.method === 'GET' && options.secrets?.[`${secret[1]}/${secret[2]}`]) {
      return json(res, 200, options.secrets[`${secret[1]}/${secret[2]}`]);
    }
    return json(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** NOTES.txt as `helm install --dry-run` prints it, against the fake API server. */
export async function notes(api: FakeApiServer, values: Record<string, unknown> = {}): Promise<string> {
  const { stdout, stderr, code } = await helm([
    'install',
    'oneproc',
    CHART,
    '--namespace',
    'oneproc-system',
    '--dry-run=client',
    '--disable-openapi-validation',
    '--kube-apiserver',
    api.url,
    ...setArgs(values),
  ]);
  if (code !== 0) throw new Error(`helm install --dry-run failed: ${stderr}`);
  const at = stdout.indexOf('NOTES:');
  if (at < 0) throw new Error(`no NOTES in helm output:\n${stdout.slice(0, 500)}`);
  return stdout.slice(at + 'NOTES:'.length).trim();
}
