/**
 * A local HTTPS stand-in for the Kubernetes API server's list calls (no API server can run here):
 * `GET /api/v1/pods`, `/apis/apps/v1/namespaces/NS/deployments`, … with `limit` and `continue`, list
 * kinds (`PodList`, …), `metadata.continue` and `resourceVersion`, bearer-token authentication, 403
 * and 410 answers as `Status` objects, and slow answers — as the API server sends them.
 */
import 'reflect-metadata';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Tls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A CA and a serving certificate for 127.0.0.1 / localhost. */
export async function makeTls(): Promise<Tls> {
  x509.cryptoProvider.set(globalThis.crypto);
  const now = new Date(Date.now() - 60_000);
  const later = new Date(Date.now() + 24 * 3600_000);
  const caKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=fake-apiserver-ca',
    notBefore: now,
    notAfter: later,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore: now,
    notAfter: later,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { caPem: ca.toString('pem'), certPem: cert.toString('pem'), keyPem };
}

export interface FakeApiOptions {
  tls: Tls;
  token: string;
  /** Objects per resource path segment (`pods`, `deployments`, …); each carries metadata.namespace. */
  objects: Record<string, Array<Record<string, unknown>>>;
  /** Resources answered with 403 Forbidden. */
  forbidden?: string[];
  /** Resources whose first continue token is answered with 410 Gone (once). */
  expireFirstContinue?: string[];
  /** Resources answered after this many milliseconds. */
  slow?: Record<string, number>;
  /** Report API groups/versions whose CRD is installed (`wgpolicyk8s.io/v1alpha2`, …): PATCH is accepted. */
  reportApis?: string[];
}

/** A server-side apply the stand-in received. */
export interface Applied {
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
}

export interface FakeApi {
  url: string;
  /** Every request path, in order. */
  requests: string[];
  /** Every PATCH (server-side apply), in order. */
  applied: Applied[];
  close(): Promise<void>;
}

const LIST_KIND: Record<string, string> = {
  pods: 'PodList',
  replicationcontrollers: 'ReplicationControllerList',
  deployments: 'DeploymentList',
  statefulsets: 'StatefulSetList',
  daemonsets: 'DaemonSetList',
  replicasets: 'ReplicaSetList',
  jobs: 'JobList',
  cronjobs: 'CronJobList',
  namespaces: 'NamespaceList',
};

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export async function startFakeApi(options: FakeApiOptions): Promise<FakeApi> {
  const requests: string[] = [];
  const applied: Applied[] = [];
  const expired = new Set<string>();
  const server = https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    requests.push(url.pathname + url.search);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const report =
      /^\/apis\/((?:wgpolicyk8s\.io\/v1alpha2|openreports\.io\/v1alpha1))(?:\/namespaces\/[^/]+)?\/(?:policyreports|clusterpolicyreports|reports|clusterreports)\/[^/]+$/.exec(
        url.pathname,
      );
    if (req.method === 'PATCH' && report) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        applied.push({
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          contentType: req.headers['content-type'],
          body,
        });
        if (!options.reportApis?.includes(report[1] ?? ''))
          return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
        send(200, body);
      });
      return;
    }
    const m = /^\/(?:api\/v1|apis\/(?:apps|batch)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(
      url.pathname,
    );
    if (!m || !(m[2] in LIST_KIND))
      return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const [, namespace, resource] = m;
    const answer = () => {
      if (options.forbidden?.includes(resource)) {
        return send(
          403,
          status(
            403,
            'Forbidden',
            `${resource} is forbidden: User "system:serviceaccount:ci:auditor" cannot list resource "${resource}" in API group "" at the cluster scope`,
          ),
        );
      }
      const token = url.searchParams.get('continue');
      if (token && options.expireFirstContinue?.includes(resource) && !expired.has(resource)) {
        expired.add(resource);
        return send(
          410,
          status(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result.',
          ),
        );
      }
      const all = (options.objects[resource] ?? []).filter(
        (o) => !namespace || (o.metadata as { namespace?: string }).namespace === namespace,
      );
      const limit = Number(url.searchParams.get('limit') ?? 0) || all.length;
      const offset = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
      const items = all.slice(offset, offset + limit);
      const next =
        offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64') : undefined;
      send(200, {
        kind: LIST_KIND[resource],
        apiVersion: resource.match(/deployments|statefulsets|daemonsets|replicasets/)
          ? 'apps/v1'
          : resource.match(/jobs/)
            ? 'batch/v1'
            : 'v1',
        metadata: {
          resourceVersion: '12345',
          ...(next ? { continue: next, remainingItemCount: all.length - offset - limit } : {}),
        },
        items,
      });
    };
    const delay = options.slow?.[resource];
    if (delay) setTimeout(answer, delay).unref();
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    applied,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A kubeconfig that points at the stand-in with its CA and a bearer token. */
export function kubeconfig(url: string, tls: Tls, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    `    certificate-authority-data: ${Buffer.from(tls.caPem).toString('base64')}`,
    'users:',
    '- name: auditor',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: fake',
    '  context: {cluster: fake, user: auditor}',
    '- name: other',
    '  context: {cluster: fake, user: auditor, namespace: shop}',
    'current-context: fake',
    '',
  ].join('\n');
}
