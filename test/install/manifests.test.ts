/**
 * manifests/ is generated from charts/oneproc (the one source of truth) and must equal what the
 * generator produces now; the AdmissionWebhook construct's own checks. That the construct emits the same
 * objects as the chart is webhook-parity.test.ts.
 */
import * as fs from 'node:fs';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { AdmissionWebhook, AdmissionWebhookError, WebhookCertificate } from '../../src';
import { find, type K8sObject, requireHelm } from './helm';

// biome-ignore lint/suspicious/noExplicitAny: the generator is plain JavaScript
const generator: any = require('../../scripts/manifests.js');

function synth(props: ConstructorParameters<typeof AdmissionWebhook>[2] = {}): K8sObject[] {
  const chart = new Chart(Testing.app(), 'test');
  new AdmissionWebhook(chart, 'webhook', props);
  return Testing.synth(chart) as K8sObject[];
}

describe('manifests/', () => {
  beforeAll(() => requireHelm());

  it('equals what `npm run manifests` generates from the chart (run it and commit when this fails)', () => {
    const onDisk = fs.readFileSync(generator.OUTPUT, 'utf8');
    expect(onDisk).toBe(generator.render());
  });

  it('holds the namespace first, then a cert-manager install of the webhook', () => {
    const docs = parseAllDocuments(fs.readFileSync(generator.OUTPUT, 'utf8')).map(
      (d) => d.toJSON() as K8sObject,
    );
    expect(docs[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'oneproc-system',
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'oneproc.dev/mode': 'off' },
      },
    });
    const vwc = find(docs, 'ValidatingWebhookConfiguration');
    expect(vwc.metadata.annotations).toEqual({
      'cert-manager.io/inject-ca-from': 'oneproc-system/oneproc-serving',
    });
    expect(vwc.webhooks[0].matchConditions).toHaveLength(4);
    for (const o of docs) {
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    }
  });

  it('quotes label values that YAML 1.1 (kubectl) would read as booleans', () => {
    expect(fs.readFileSync(generator.OUTPUT, 'utf8')).toContain('oneproc.dev/mode: "off"');
  });
});

describe('AdmissionWebhook construct', () => {
  it('creates the namespace as manifests/ does (the chart leaves it to `--create-namespace`)', () => {
    const docs = parseAllDocuments(fs.readFileSync(generator.OUTPUT, 'utf8')).map(
      (d) => d.toJSON() as K8sObject,
    );
    expect(find(synth(), 'Namespace')).toEqual(docs[0]);
  });

  it('uses the issuer it is given instead of a private CA', () => {
    const objects = synth({
      certificate: WebhookCertificate.certManager({ issuerRef: { name: 'corp', kind: 'ClusterIssuer' } }),
    });
    expect(objects.filter((o) => o.kind === 'Issuer')).toEqual([]);
    expect(find(objects, 'Certificate').spec.issuerRef).toEqual({
      name: 'corp',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
  });

  it.each([
    [
      { failurePolicy: 'Fail', replicas: 1 },
      "'replicas' (1) must be at least 2 when 'failurePolicy' is Fail",
    ],
    [{ timeoutSeconds: 10 }, "'timeoutSeconds' (10) must be between 1 and 3"],
    [{ mode: 'off' }, "'mode' (off) must be enforce or warn"],
    [{ namespace: 'Bad_NS' }, "'namespace' (Bad_NS) is not a valid namespace name"],
    [{ excludedNamespaces: ['no way'] }, "'excludedNamespaces' contains 'no way'"],
    [
      { enforceAfter: '2027-02-30' },
      `'enforceAfter' ("2027-02-30") must be a calendar date written YYYY-MM-DD`,
    ],
    [
      { enforceAfter: '2027-01-31', mode: 'warn' },
      "'enforceAfter' escalates the default mode from warn to enforce on its day, but 'mode' is warn",
    ],
    [
      { exemptions: { allowedGroups: ['ops\nadmins'] } },
      `'exemptions.allowedGroups' holds "ops\\nadmins": names must be printable, 1 to 512 characters`,
    ],
  ])('refuses %j, naming the construct by its path', (props, message) => {
    expect(() => synth(props as never)).toThrow(AdmissionWebhookError);
    expect(() => synth(props as never)).toThrow(`AdmissionWebhook 'test/webhook': ${message}`);
  });

  it('names the factory of a certificate it refuses', () => {
    expect(() => WebhookCertificate.certManager({ issuerRef: { name: '' } })).toThrow(
      "WebhookCertificate.certManager: 'issuerRef.name' must not be empty",
    );
  });

  it('refuses an existing Secret without a PEM CA', () => {
    expect(() => WebhookCertificate.existingSecret('tls', Buffer.from('hello').toString('base64'))).toThrow(
      "'caBundle' of WebhookCertificate.existingSecret must be the base64 encoding of a PEM certificate",
    );
    expect(() => WebhookCertificate.existingSecret('', 'x')).toThrow("'secretName'");
  });

  it('synthesises YAML that kubectl reads the same (YAML 1.1 booleans quoted)', () => {
    const outdir = fs.mkdtempSync('/tmp/oneproc-synth-');
    try {
      const app = new App({ outdir });
      new AdmissionWebhook(new Chart(app, 'webhook'), 'webhook');
      app.synth();
      const text = fs.readFileSync(`${outdir}/webhook.k8s.yaml`, 'utf8');
      expect(text).toMatch(/oneproc\.dev\/mode: "off"/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
