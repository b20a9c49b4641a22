/**
 * The webhook install is written twice: as the Helm chart (charts/oneproc) and as the AdmissionWebhook
 * construct. Each case below renders the chart with the real helm and synthesizes the construct with the
 * same settings, then compares every object field by field (images, args, ports, probes, security
 * contexts, resources, webhook rules, matchConditions, failure policies and timeouts, Service ports,
 * PodDisruptionBudget, certificates; RBAC by the set of objects, which holds none in either). A
 * difference fails naming the object and the field, with both values.
 */
import { Chart, Testing } from 'cdk8s';
import {
  AdmissionWebhook,
  type AdmissionWebhookProps,
  WEBHOOK_MATCH_CONDITIONS,
  WebhookCertificate,
} from '../../src';
import { MATCH_CONDITIONS } from '../../src/policy';
import { find, type K8sObject, type RenderOptions, requireHelm, template } from './helm';

/** The labels only Helm adds (its own bookkeeping); kubectl and cdk8s apply without them. */
const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

function synth(props: AdmissionWebhookProps): K8sObject[] {
  const chart = new Chart(Testing.app(), 'test');
  new AdmissionWebhook(chart, 'webhook', props);
  return Testing.synth(chart) as K8sObject[];
}

/** Objects by `Kind/name`, without Helm's own labels. */
function byKey(objects: K8sObject[]): Map<string, K8sObject> {
  const out = new Map<string, K8sObject>();
  for (const o of objects) {
    const copy = structuredClone(o);
    for (const label of HELM_ONLY_LABELS) delete copy.metadata.labels?.[label];
    out.set(`${o.kind}/${o.metadata.name}`, copy);
  }
  return out;
}

function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${name}` : name;
}

/** Every field where `a` (the chart's) and `b` (the construct's) differ, as `path: chart X, construct Y`. */
function fieldDifferences(a: unknown, b: unknown, at = ''): string[] {
  const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v));
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      out.push(...fieldDifferences(a[i], b[i], fieldPath(at, i)));
    return out;
  }
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => fieldDifferences(a[k], b[k], fieldPath(at, k)));
  }
  return Object.is(a, b) ? [] : [`${at || '(object)'}: chart ${show(a)}, construct ${show(b)}`];
}

/** Each object missing on one side, and each field that differs, named `Kind/name field`. */
function differences(chart: Map<string, K8sObject>, construct: Map<string, K8sObject>): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...chart.keys(), ...construct.keys()])].sort()) {
    const a = chart.get(key);
    const b = construct.get(key);
    if (!a) out.push(`${key}: only the construct emits it`);
    else if (!b) out.push(`${key}: only the chart emits it`);
    else out.push(...fieldDifferences(a, b).map((d) => `${key} ${d}`));
  }
  return out;
}

interface Settings {
  values: Record<string, unknown>;
  render?: RenderOptions;
  props: AdmissionWebhookProps;
}

/** A PEM CA for the existing-Secret cases: the one the chart generates in its default mode. */
let ca = '';

/** Chart values and construct props that mean the same install (built late: `ca` is read first). */
const CASES: Array<{ name: string; make: () => Settings }> = [
  {
    name: 'cert-manager with a private CA (the defaults)',
    make: () => ({
      values: { 'certificates.mode': 'cert-manager' },
      props: { createNamespace: false },
    }),
  },
  {
    name: 'cert-manager with your own issuer, lifetime and renewal',
    make: () => ({
      values: {
        'certificates.mode': 'cert-manager',
        'certificates.certManager.issuerRef': { name: 'corp', kind: 'ClusterIssuer' },
        'certificates.certManager.duration': '720h',
        'certificates.certManager.renewBefore': '240h',
      },
      props: {
        createNamespace: false,
        certificate: WebhookCertificate.certManager({
          issuerRef: { name: 'corp', kind: 'ClusterIssuer' },
          duration: '720h',
          renewBefore: '240h',
        }),
      },
    }),
  },
  {
    name: 'an existing Secret, mode warn, failurePolicy Fail, three replicas, another namespace',
    make: () => ({
      values: {
        'certificates.mode': 'secret',
        'certificates.secret.name': 'corp-tls',
        'certificates.secret.caBundle': ca,
        mode: 'warn',
        failurePolicy: 'Fail',
        replicaCount: 3,
        excludedNamespaces: ['monitoring'],
      },
      render: { namespace: 'guard', release: 'oneproc-guard' },
      props: {
        createNamespace: false,
        certificate: WebhookCertificate.existingSecret('corp-tls', ca),
        mode: 'warn',
        failurePolicy: 'Fail',
        replicas: 3,
        excludedNamespaces: ['monitoring'],
        namespace: 'guard',
        name: 'oneproc-guard',
      },
    }),
  },
  {
    name: 'enforceAfter and an exemption authority',
    make: () => ({
      values: {
        'certificates.mode': 'cert-manager',
        enforceAfter: '2027-01-31',
        'exemptions.allowedUsers': ['alice', 'system:serviceaccount:argocd:argocd-application-controller'],
        'exemptions.allowedGroups': ['platform-admins'],
      },
      props: {
        createNamespace: false,
        enforceAfter: '2027-01-31',
        exemptions: {
          allowedUsers: ['alice', 'system:serviceaccount:argocd:argocd-application-controller'],
          allowedGroups: ['platform-admins'],
        },
      },
    }),
  },
  {
    name: 'a 1 s timeout, no matchConditions, a name without "oneproc"',
    make: () => ({
      values: {
        'certificates.mode': 'cert-manager',
        timeoutSeconds: 1,
        matchConditions: false,
        fullnameOverride: 'guard',
      },
      render: { release: 'guard' },
      props: { createNamespace: false, timeoutSeconds: 1, matchConditions: false, name: 'guard' },
    }),
  },
  {
    name: 'one replica (failurePolicy Ignore): no PodDisruptionBudget, which could never let a drain evict it',
    make: () => ({
      values: { 'certificates.mode': 'cert-manager', replicaCount: 1, 'podDisruptionBudget.enabled': false },
      props: { createNamespace: false, replicas: 1 },
    }),
  },
];

describe('AdmissionWebhook construct and the Helm chart', () => {
  beforeAll(async () => {
    requireHelm();
    ca = find(await template(), 'Secret').data['ca.crt'];
  });

  it.each(CASES.map((c) => [c.name, c.make] as const))('emit the same objects: %s', async (_name, make) => {
    const c = make();
    const chart = byKey(await template(c.values, { kubeVersion: '1.30.0', ...c.render }));
    const construct = byKey(synth(c.props));
    expect(differences(chart, construct)).toEqual([]);
    // The comparison saw the objects that matter.
    for (const kind of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'NetworkPolicy',
      'ValidatingWebhookConfiguration',
    ])
      expect([...chart.keys()].some((k) => k.startsWith(`${kind}/`))).toBe(true);
  });

  it('emit the matchConditions of src/policy/cel.ts, and the chart writes the same text', async () => {
    const vwc = find(await template({}, { kubeVersion: '1.30.0' }), 'ValidatingWebhookConfiguration');
    expect(vwc.webhooks).toHaveLength(3);
    for (const webhook of vwc.webhooks) expect(webhook.matchConditions).toEqual(WEBHOOK_MATCH_CONDITIONS);
    // The policy's conditions come first, unchanged; the webhook adds only its own.
    expect(WEBHOOK_MATCH_CONDITIONS.slice(0, MATCH_CONDITIONS.length)).toEqual(MATCH_CONDITIONS);
    expect(WEBHOOK_MATCH_CONDITIONS.slice(MATCH_CONDITIONS.length).map((c) => c.name)).toEqual([
      'sets-command-or-args',
    ]);
  });

  it('name the object and the field that differ', () => {
    const chart = byKey([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'oneproc' }, spec: { ports: [{ port: 443 }] } },
    ]);
    const construct = byKey([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'oneproc' }, spec: { ports: [{ port: 8443 }] } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'oneproc' } },
    ]);
    expect(differences(chart, construct)).toEqual([
      'Service/oneproc spec.ports[0].port: chart 443, construct 8443',
      'ServiceAccount/oneproc: only the construct emits it',
    ]);
  });
});
