/**
 * charts/oneproc with the real helm: lint, then render with each certificate mode and mode setting and
 * check what a cluster operator relies on, field by field, and against the Kubernetes schemas.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { checkObject } from '../../src/manifest';
import { admissionRequest, evaluateBool, KINDS, wrap } from './cel';
import { engineVerdict, isValidContainer, ruleFixtures } from './fixtures';
import {
  CHART,
  find,
  helm,
  type K8sObject,
  notes,
  startFakeApiServer,
  template,
  templateError,
} from './helm';

const NS = 'oneproc-system';
const FULLNAME = 'oneproc';

const MODELS: Record<string, { validate(): void } & (new (o: never) => { validate(): void })> = {
  'apps/v1/Deployment': Deployment as never,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': ValidatingWebhookConfiguration as never,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as never,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as never,
  'v1/Secret': Secret as never,
  'v1/Service': Service as never,
  'v1/ServiceAccount': ServiceAccount as never,
};

/** Validates every built-in object against the Kubernetes OpenAPI schema (cert-manager kinds excepted). */
function validateAll(objects: K8sObject[]): void {
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) {
      expect(o.apiVersion).toBe('cert-manager.io/v1');
      continue;
    }
    new Model(o as never).validate();
  }
}

function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

function decode(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

describe('helm lint', () => {
  it.each([
    ['default values', []],
    ['cert-manager', ['--set', 'certificates.mode=cert-manager']],
    ['warn mode, failurePolicy Fail', ['--set', 'mode=warn', '--set', 'failurePolicy=Fail']],
  ])('is clean with %s', async (_name, args) => {
    const { stdout, stderr, code } = await helm(['lint', '--strict', CHART, ...args]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe('default install (helm-generated certificate, enforce mode)', () => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await template();
  });

  it('renders exactly the webhook install, valid against the Kubernetes schemas', () => {
    expect(kinds(objects)).toEqual([
      'Deployment/oneproc',
      'NetworkPolicy/oneproc',
      'PodDisruptionBudget/oneproc',
      'Secret/oneproc-tls',
      'Service/oneproc',
      'ServiceAccount/oneproc',
      'ValidatingWebhookConfiguration/oneproc',
    ]);
    validateAll(objects);
    for (const o of objects) {
      if (o.kind !== 'ValidatingWebhookConfiguration') expect(o.metadata.namespace).toBe(NS);
    }
  });

  it('passes its own check: the webhook is one process per container', () => {
    for (const o of objects)
      expect({ object: `${o.kind}/${o.metadata.name}`, findings: checkObject(o) }).toEqual({
        object: `${o.kind}/${o.metadata.name}`,
        findings: [],
      });
  });

  it('runs at least two replicas spread across nodes, never below the count during a rollout', () => {
    const d = find(objects, 'Deployment');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const spread = d.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((s: { topologyKey: string }) => s.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(spread[0].labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(spread[0].maxSkew).toBe(1);
  });

  it('hardens the pod: non-root, no token, read-only root, no capabilities, seccomp', () => {
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources).toEqual({
      requests: { cpu: '50m', memory: '96Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  it('starts oneproc serve on 8443 with the mounted certificate, metrics on 9090', () => {
    const pod = find(objects, 'Deployment').spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe('ghcr.io/oneproc/oneproc:0.1.0');
    expect(c.args).toEqual([
      '--tls-cert',
      '/etc/oneproc/tls/tls.crt',
      '--tls-key',
      '/etc/oneproc/tls/tls.key',
      '--port',
      '8443',
      '--metrics-port',
      '9090',
      '--mode',
      'enforce',
    ]);
    expect(c.ports).toEqual([
      { name: 'https', containerPort: 8443, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/oneproc/tls', readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: 'tls',
      secret: { secretName: 'oneproc-tls', defaultMode: 0o440 },
    });
  });

  it('probes /healthz and /readyz over HTTPS', () => {
    const [c] = find(objects, 'Deployment').spec.template.spec.containers;
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c.readinessProbe.timeoutSeconds).toBeLessThanOrEqual(3);
  });

  it('keeps one pod through voluntary disruptions', () => {
    const pdb = find(objects, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: find(objects, 'Deployment').spec.selector.matchLabels },
    });
  });

  it('exposes 443 → https and metrics on the Service', () => {
    const svc = find(objects, 'Service');
    expect(svc.spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual(find(objects, 'Deployment').spec.selector.matchLabels);
  });

  it('admits only the webhook and metrics ports, and no egress', () => {
    const np = find(objects, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toEqual([]);
    expect(np.spec.ingress).toEqual([
      { ports: [{ port: 'https', protocol: 'TCP' }] },
      { ports: [{ port: 'metrics', protocol: 'TCP' }], from: [{ namespaceSelector: {} }] },
    ]);
  });

  it('has one webhook per namespace mode, each routed to its path', () => {
    const vwc = find(objects, 'ValidatingWebhookConfiguration');
    const entries = vwc.webhooks.map((w: K8sObject['spec']) => ({
      name: w.name,
      path: w.clientConfig.service.path,
      mode: w.namespaceSelector.matchExpressions[0],
      failurePolicy: w.failurePolicy,
    }));
    expect(entries).toEqual([
      {
        name: 'enforce.oneproc.dev',
        path: '/validate/enforce',
        mode: { key: 'oneproc.dev/mode', operator: 'In', values: ['enforce'] },
        failurePolicy: 'Ignore',
      },
      {
        name: 'warn.oneproc.dev',
        path: '/validate/warn',
        mode: { key: 'oneproc.dev/mode', operator: 'In', values: ['warn'] },
        failurePolicy: 'Ignore',
      },
      {
        name: 'default.oneproc.dev',
        path: '/validate',
        mode: { key: 'oneproc.dev/mode', operator: 'NotIn', values: ['enforce', 'warn', 'off'] },
        failurePolicy: 'Ignore',
      },
    ]);
  });

  it('every webhook skips kube-system and its own namespace, answers within 3 s, and has no side effects', () => {
    const vwc = find(objects, 'ValidatingWebhookConfiguration');
    for (const w of vwc.webhooks) {
      expect(w.namespaceSelector.matchExpressions[1]).toEqual({
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['kube-system', NS],
      });
      expect(w.timeoutSeconds).toBe(3);
      expect(w.sideEffects).toBe('None');
      expect(w.admissionReviewVersions).toEqual(['v1']);
      expect(w.clientConfig.service).toMatchObject({ name: FULLNAME, namespace: NS, port: 443 });
      expect(w.rules).toEqual([
        {
          apiGroups: [''],
          apiVersions: ['v1'],
          resources: ['pods', 'replicationcontrollers'],
          operations: ['CREATE', 'UPDATE'],
          scope: 'Namespaced',
        },
        {
          apiGroups: ['apps'],
          apiVersions: ['v1'],
          resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
          operations: ['CREATE', 'UPDATE'],
          scope: 'Namespaced',
        },
        {
          apiGroups: ['batch'],
          apiVersions: ['v1'],
          resources: ['jobs', 'cronjobs'],
          operations: ['CREATE', 'UPDATE'],
          scope: 'Namespaced',
        },
      ]);
      expect(w.matchConditions.map((m: { name: string }) => m.name)).toEqual([
        'not-being-deleted',
        'not-a-mirror-pod',
        'not-created-from-a-checked-template',
        'sets-command-or-args',
      ]);
    }
  });

  it('generates a CA whose bundle verifies the serving certificate for <service>.<namespace>.svc', () => {
    const secret = find(objects, 'Secret');
    expect(secret.type).toBe('kubernetes.io/tls');
    const vwc = find(objects, 'ValidatingWebhookConfiguration');
    const bundles = new Set(vwc.webhooks.map((w: K8sObject['spec']) => w.clientConfig.caBundle));
    expect([...bundles]).toEqual([secret.data['ca.crt']]);
    const ca = new X509Certificate(decode(secret.data['ca.crt']));
    const cert = new X509Certificate(decode(secret.data['tls.crt']));
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    for (const host of [`${FULLNAME}.${NS}.svc`, `${FULLNAME}.${NS}.svc.cluster.local`]) {
      expect(cert.checkHost(host)).toBe(host);
    }
    expect(cert.checkHost(`${FULLNAME}.other.svc`)).toBeUndefined();
    // The key in the Secret belongs to the certificate.
    const key = createPrivateKey(decode(secret.data['tls.key']));
    expect(createPublicKey(key).export({ format: 'pem', type: 'spki' })).toBe(
      cert.publicKey.export({ format: 'pem', type: 'spki' }),
    );
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(3640);
  });
});

describe('certificates', () => {
  it('reuses the Secret it finds on upgrade (lookup), so the caBundle and the served certificate stay', async () => {
    const first = await template();
    const secret = find(first, 'Secret');
    const api = await startFakeApiServer({ secrets: { [`${NS}/oneproc-tls`]: secret } });
    try {
      const upgraded = await template({}, { args: ['--dry-run=server', '--kube-apiserver', api.url] });
      expect(api.requests).toContain(`GET /api/v1/namespaces/${NS}/secrets/oneproc-tls`);
      expect(find(upgraded, 'Secret').data).toEqual(secret.data);
      for (const w of find(upgraded, 'ValidatingWebhookConfiguration').webhooks) {
        expect(w.clientConfig.caBundle).toBe(secret.data['ca.crt']);
      }
    } finally {
      await api.close();
    }
  });

  it('cert-manager: a private CA, a serving Certificate for the Service, and CA injection', async () => {
    const objects = await template({ 'certificates.mode': 'cert-manager' });
    validateAll(objects);
    expect(kinds(objects)).toEqual([
      'Certificate/oneproc-ca',
      'Certificate/oneproc-serving',
      'Deployment/oneproc',
      'Issuer/oneproc-ca',
      'Issuer/oneproc-selfsigned',
      'NetworkPolicy/oneproc',
      'PodDisruptionBudget/oneproc',
      'Service/oneproc',
      'ServiceAccount/oneproc',
      'ValidatingWebhookConfiguration/oneproc',
    ]);
    const serving = find(objects, 'Certificate', 'oneproc-serving');
    expect(serving.spec.secretName).toBe('oneproc-tls');
    expect(serving.spec.dnsNames).toEqual([
      'oneproc',
      `oneproc.${NS}`,
      `oneproc.${NS}.svc`,
      `oneproc.${NS}.svc.cluster.local`,
    ]);
    expect(serving.spec.issuerRef).toEqual({ name: 'oneproc-ca', kind: 'Issuer', group: 'cert-manager.io' });
    expect(find(objects, 'Certificate', 'oneproc-ca').spec).toMatchObject({
      isCA: true,
      secretName: 'oneproc-ca',
    });
    expect(find(objects, 'Issuer', 'oneproc-ca').spec).toEqual({ ca: { secretName: 'oneproc-ca' } });
    const vwc = find(objects, 'ValidatingWebhookConfiguration');
    expect(vwc.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': `${NS}/oneproc-serving` });
    for (const w of vwc.webhooks) expect(w.clientConfig.caBundle).toBeUndefined();
    expect(find(objects, 'Deployment').spec.template.spec.volumes[0].secret.secretName).toBe('oneproc-tls');
  });

  it('cert-manager with your own issuer: no private CA, the serving Certificate uses it', async () => {
    const objects = await template({
      'certificates.mode': 'cert-manager',
      'certificates.certManager.issuerRef': { name: 'corp-ca', kind: 'ClusterIssuer' },
    });
    expect(objects.filter((o) => o.kind === 'Issuer')).toEqual([]);
    expect(find(objects, 'Certificate').spec.issuerRef).toEqual({
      name: 'corp-ca',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
  });

  it('existing Secret: mounts it and puts the given CA in every webhook', async () => {
    const caBundle = (await template()).find((o) => o.kind === 'Secret')?.data['ca.crt'];
    const objects = await template({
      'certificates.mode': 'secret',
      'certificates.secret.name': 'my-webhook-tls',
      'certificates.secret.caBundle': caBundle,
    });
    validateAll(objects);
    expect(objects.filter((o) => o.kind === 'Secret' || o.apiVersion === 'cert-manager.io/v1')).toEqual([]);
    expect(find(objects, 'Deployment').spec.template.spec.volumes[0].secret.secretName).toBe(
      'my-webhook-tls',
    );
    for (const w of find(objects, 'ValidatingWebhookConfiguration').webhooks) {
      expect(w.clientConfig.caBundle).toBe(caBundle);
    }
  });

  it.each([
    [
      { 'certificates.mode': 'secret' },
      'certificates.mode is secret: set certificates.secret.name to an existing kubernetes.io/tls Secret',
    ],
    [
      { 'certificates.mode': 'secret', 'certificates.secret.name': 'tls' },
      'certificates.mode is secret: set certificates.secret.caBundle',
    ],
    [
      {
        'certificates.mode': 'secret',
        'certificates.secret.name': 'tls',
        'certificates.secret.caBundle': Buffer.from('not a certificate').toString('base64'),
      },
      'certificates.secret.caBundle must be the base64 encoding of a PEM certificate',
    ],
    [
      { 'certificates.secret.name': 'tls' },
      'certificates.secret.name and certificates.secret.caBundle are used only with certificates.mode secret, but certificates.mode is helm',
    ],
    [
      { 'certificates.mode': 'helm', 'certificates.certManager.issuerRef': { name: 'corp-ca' } },
      'certificates.certManager.issuerRef is used only with certificates.mode cert-manager, but certificates.mode is helm',
    ],
    [{ 'certificates.mode': 'vault' }, 'certificates.mode'],
  ])('fails on inconsistent values %j', async (values, message) => {
    expect(await templateError(values)).toContain(message);
  });
});

describe('modes and failure policy', () => {
  it('mode warn: the server default is warn and unlabelled namespaces never fail closed', async () => {
    const objects = await template({ mode: 'warn', failurePolicy: 'Fail' });
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].args.slice(-2)).toEqual([
      '--mode',
      'warn',
    ]);
    const policies = find(objects, 'ValidatingWebhookConfiguration').webhooks.map(
      (w: { name: string; failurePolicy: string }) => [w.name, w.failurePolicy],
    );
    expect(policies).toEqual([
      ['enforce.oneproc.dev', 'Fail'],
      ['warn.oneproc.dev', 'Ignore'],
      ['default.oneproc.dev', 'Ignore'],
    ]);
  });

  it('failurePolicy Fail applies to enforce-mode namespaces only', async () => {
    const objects = await template({ failurePolicy: 'Fail', replicaCount: 3 });
    expect(find(objects, 'Deployment').spec.replicas).toBe(3);
    const policies = find(objects, 'ValidatingWebhookConfiguration').webhooks.map(
      (w: { failurePolicy: string }) => w.failurePolicy,
    );
    expect(policies).toEqual(['Fail', 'Ignore', 'Fail']);
  });

  it('adds excluded namespaces to every selector, kube-system and the release namespace stay', async () => {
    const objects = await template(
      { excludedNamespaces: ['monitoring', 'kube-system'] },
      { namespace: 'guard' },
    );
    for (const w of find(objects, 'ValidatingWebhookConfiguration').webhooks) {
      expect(w.namespaceSelector.matchExpressions[1].values).toEqual(['kube-system', 'guard', 'monitoring']);
      expect(w.clientConfig.service.namespace).toBe('guard');
    }
  });

  it('leaves matchConditions out before Kubernetes 1.28 (auto) or when disabled', async () => {
    const old = await template({}, { kubeVersion: '1.27.9' });
    for (const w of find(old, 'ValidatingWebhookConfiguration').webhooks)
      expect(w.matchConditions).toBeUndefined();
    const off = await template({ matchConditions: false });
    for (const w of find(off, 'ValidatingWebhookConfiguration').webhooks)
      expect(w.matchConditions).toBeUndefined();
    const on = await template({ matchConditions: true }, { kubeVersion: '1.27.9' });
    for (const w of find(on, 'ValidatingWebhookConfiguration').webhooks)
      expect(w.matchConditions).toHaveLength(4);
  });

  it.each([
    [
      { failurePolicy: 'Fail', replicaCount: 1 },
      'replicaCount (1) must be at least 2 with failurePolicy Fail',
    ],
    [
      { replicaCount: 2, 'podDisruptionBudget.minAvailable': 2 },
      'podDisruptionBudget.minAvailable (2) must be lower than replicaCount (2)',
    ],
    [{ 'metrics.port': 8443 }, 'metrics.port must not be 8443'],
    [{ timeoutSeconds: 10 }, 'timeoutSeconds'],
    [{ mode: 'off' }, 'mode'],
    [{ replicas: 3 }, 'Additional property replicas is not allowed'],
  ])('fails on %j', async (values, message) => {
    expect(await templateError(values)).toContain(message);
  });
});

describe('optional parts', () => {
  it('pins the image by digest when one is given', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const objects = await template({ 'image.digest': digest, 'image.tag': '9.9.9' });
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].image).toBe(
      `ghcr.io/oneproc/oneproc@${digest}`,
    );
    expect(await templateError({ 'image.digest': 'latest' })).toContain('image.digest');
  });

  it('leaves out the PodDisruptionBudget, NetworkPolicy and ServiceAccount when disabled', async () => {
    const objects = await template({
      'podDisruptionBudget.enabled': false,
      'networkPolicy.enabled': false,
      'serviceAccount.create': false,
    });
    expect(kinds(objects)).toEqual([
      'Deployment/oneproc',
      'Secret/oneproc-tls',
      'Service/oneproc',
      'ValidatingWebhookConfiguration/oneproc',
    ]);
    expect(find(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe('default');
  });
});

describe('NOTES.txt', () => {
  it('warns first, then says how to label, exempt and check', async () => {
    const api = await startFakeApiServer();
    try {
      const text = await notes(api, { failurePolicy: 'Fail' });
      const lines = text.split('\n');
      expect(lines[0]).toMatch(/^WARNING: failurePolicy is Fail: while no oneproc pod answers/);
      expect(lines[1]).toBe(
        `WARNING: the serving certificate was generated by Helm and is valid for 3650 days; nothing renews it. Rotate it by deleting Secret ${NS}/oneproc-tls and running helm upgrade.`,
      );
      expect(text).toContain('kubectl label namespace NAME oneproc.dev/mode=enforce');
      expect(text).toContain('oneproc.dev/allow-multiple-workers=');
      expect(text).toContain(`Never checked: kube-system, ${NS}.`);
    } finally {
      await api.close();
    }
  });

  it('has no warning for a cert-manager install with the defaults', async () => {
    const api = await startFakeApiServer({ certManager: true });
    try {
      const text = await notes(api, { 'certificates.mode': 'cert-manager' });
      expect(text).not.toContain('WARNING');
    } finally {
      await api.close();
    }
  });
});

describe('matchConditions (evaluated with @bufbuild/cel)', () => {
  let conditions: Array<{ name: string; expression: string }>;
  beforeAll(async () => {
    conditions = find(await template(), 'ValidatingWebhookConfiguration').webhooks[0].matchConditions;
  });
  /** True when the API server would call the webhook for this object. */
  function sent(object: Record<string, unknown>, username?: string): boolean {
    const request = admissionRequest(String(object.kind), username);
    return conditions.every((c) => evaluateBool(c.expression, { object, oldObject: null, request }));
  }
  const uvicorn = { name: 'web', command: ['uvicorn', 'main:app', '--workers', '4'] };

  it('sends every kind that sets a command', () => {
    for (const kind of KINDS)
      expect({ kind, sent: sent(wrap(kind, { containers: [uvicorn] })) }).toEqual({ kind, sent: true });
  });

  it('skips objects being deleted, mirror pods and pods without command or args', () => {
    expect(
      sent(wrap('Deployment', { containers: [uvicorn] }, { deletionTimestamp: '2026-01-01T00:00:00Z' })),
    ).toBe(false);
    expect(sent(wrap('Pod', { containers: [uvicorn] }), 'system:node:worker-1')).toBe(false);
    expect(
      sent(wrap('Pod', { containers: [uvicorn] }), 'system:serviceaccount:kube-system:node-controller'),
    ).toBe(true);
    expect(sent(wrap('Deployment', { containers: [{ name: 'web', image: 'shop' }] }))).toBe(false);
    expect(
      sent(
        wrap('Deployment', {
          containers: [{ name: 'web', image: 'shop' }],
          initContainers: [{ name: 'i', args: ['x'] }],
        }),
      ),
    ).toBe(true);
  });

  it('skips what a built-in controller creates from a checked template, by who sends it', () => {
    const owner = (apiVersion: string, kind: string, controller = true) => ({
      ownerReferences: [{ apiVersion, kind, name: 'web', uid: 'u1', controller }],
    });
    const sa = (name: string) => `system:serviceaccount:kube-system:${name}`;
    const created: [string, string, string, string][] = [
      ['replicaset-controller', 'Pod', 'apps/v1', 'ReplicaSet'],
      ['replication-controller', 'Pod', 'v1', 'ReplicationController'],
      ['statefulset-controller', 'Pod', 'apps/v1', 'StatefulSet'],
      ['daemon-set-controller', 'Pod', 'apps/v1', 'DaemonSet'],
      ['job-controller', 'Pod', 'batch/v1', 'Job'],
      ['deployment-controller', 'ReplicaSet', 'apps/v1', 'Deployment'],
      ['cronjob-controller', 'Job', 'batch/v1', 'CronJob'],
    ];
    for (const [controller, kind, apiVersion, ownerKind] of created) {
      const object = wrap(kind, { containers: [uvicorn] }, owner(apiVersion, ownerKind));
      expect({ controller, sent: sent(object, sa(controller)) }).toEqual({ controller, sent: false });
      expect(sent(object, 'system:kube-controller-manager')).toBe(false);
      // Anyone else who writes the same ownerReference is judged.
      expect({ controller, sent: sent(object, 'jane@example.com') }).toEqual({ controller, sent: true });
      expect(sent(object, 'system:serviceaccount:shop:deployer')).toBe(true);
    }
    const rs = sa('replicaset-controller');
    expect(sent(wrap('Pod', { containers: [uvicorn] }), rs)).toBe(true);
    expect(sent(wrap('Pod', { containers: [uvicorn] }, owner('argoproj.io/v1alpha1', 'Rollout')), rs)).toBe(
      true,
    );
    expect(sent(wrap('Pod', { containers: [uvicorn] }, owner('apps/v1', 'ReplicaSet', false)), rs)).toBe(
      true,
    );
  });

  it('never skips a rule fixture that yields a finding', () => {
    let checked = 0;
    for (const [name, container] of ruleFixtures()) {
      if (!isValidContainer(container) || engineVerdict(container) === 'none') continue;
      for (const kind of KINDS) {
        expect({ name, kind, sent: sent(wrap(kind, { containers: [container] })) }).toEqual({
          name,
          kind,
          sent: true,
        });
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(0);
  });
});
