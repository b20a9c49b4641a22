/**
 * `AdmissionWebhook`: the oneproc admission webhook installed from a cdk8s app — the same objects as
 * `helm install oneproc charts/oneproc` with a cert-manager or an existing-Secret certificate (the
 * Helm-generated mode needs Helm's `lookup` and has no cdk8s equivalent). test/install/webhook-parity.test.ts
 * renders both with the same settings and compares them field by field, so the chart and this construct
 * cannot drift apart.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { METRICS_PORT, MODE_LABEL, WEBHOOK_PORT } from '../names';
import { MATCH_CONDITIONS } from '../policy/cel';
import { RESOURCE_RULES } from '../policy/policy';
import { VERSION } from '../version';
import { startOfDayUtc } from '../webhook/governance';
import { AdmissionWebhookError } from './errors';

/** Where the webhook's serving certificate comes from. */
export abstract class WebhookCertificate {
  /**
   * cert-manager issues and renews the certificate, and its CA injector fills in the caBundle.
   * Without `issuerRef`, a private CA for this webhook is created (self-signed Issuer → CA Certificate →
   * CA Issuer).
   * @see https://cert-manager.io/docs/concepts/ca-injector/
   */
  public static certManager(options: CertManagerOptions = {}): WebhookCertificate {
    return new CertManagerCertificate(options);
  }

  /**
   * An existing `kubernetes.io/tls` Secret in the webhook's namespace, and the base64 PEM of the CA that
   * signed it (the API server trusts the webhook through it).
   */
  public static existingSecret(secretName: string, caBundle: string): WebhookCertificate {
    return new ExistingSecretCertificate(secretName, caBundle);
  }

  /** @internal */
  public abstract readonly kind: 'cert-manager' | 'secret';
}

export interface CertManagerIssuerRef {
  readonly name: string;
  /** @default 'Issuer' */
  readonly kind?: string;
  /** @default 'cert-manager.io' */
  readonly group?: string;
}

export interface CertManagerOptions {
  /**
   * An existing Issuer or ClusterIssuer to sign the serving certificate.
   * @default - a private CA in the webhook's namespace
   */
  readonly issuerRef?: CertManagerIssuerRef;
  /** Lifetime of the serving certificate (a Go duration). @default '2160h' */
  readonly duration?: string;
  /** How long before expiry cert-manager renews it. @default '360h' */
  readonly renewBefore?: string;
}

class CertManagerCertificate extends WebhookCertificate {
  public readonly kind = 'cert-manager' as const;
  constructor(public readonly options: CertManagerOptions) {
    super();
    if (options.issuerRef && !options.issuerRef.name) {
      throw new Error("WebhookCertificate.certManager: 'issuerRef.name' must not be empty");
    }
  }
}

class ExistingSecretCertificate extends WebhookCertificate {
  public readonly kind = 'secret' as const;
  constructor(
    public readonly secretName: string,
    public readonly caBundle: string,
  ) {
    super();
    if (!secretName) throw new Error("'secretName' of WebhookCertificate.existingSecret must not be empty");
    const pem = Buffer.from(caBundle, 'base64').toString('utf8').trim();
    if (!caBundle || !pem.startsWith('-----BEGIN CERTIFICATE-----')) {
      throw new Error(
        "'caBundle' of WebhookCertificate.existingSecret must be the base64 encoding of a PEM certificate " +
          '(it should decode to text starting with -----BEGIN CERTIFICATE-----)',
      );
    }
  }
}

export type WebhookMode = 'enforce' | 'warn';

/** Who may add or change an exemption annotation (docs/install.md, "Who may exempt"). */
export interface WebhookExemptionAuthority {
  /** `request.userInfo.username` values, exactly. @default [] */
  readonly allowedUsers?: string[];
  /** `request.userInfo.groups` values, exactly. @default [] */
  readonly allowedGroups?: string[];
}
export type WebhookFailurePolicy = 'Ignore' | 'Fail';

export interface AdmissionWebhookProps {
  /**
   * Namespace of the webhook; never checked by it.
   * @default 'oneproc-system'
   */
  readonly namespace?: string;
  /**
   * Also create the namespace (labelled for the `restricted` Pod Security Standard).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Name of every object (and of the Service the API server calls).
   * @default 'oneproc'
   */
  readonly name?: string;
  /**
   * The image running `oneproc serve`, built from the project's Dockerfile. The default is where a
   * release publishes it; until one has, build and push your own (docs/install.md, "First: the image").
   * @default `ghcr.io/oneproc/oneproc:<this package's version>`
   */
  readonly image?: string;
  /**
   * Webhook pods; at least 2 with failurePolicy Fail. With 2 or more, a PodDisruptionBudget keeps one
   * through node drains; with 1 there is none (a budget of one pod would block every drain).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Mode of namespaces without the `oneproc.dev/mode` label.
   * @default 'enforce'
   */
  readonly mode?: WebhookMode;
  /**
   * A day in UTC, `YYYY-MM-DD`, from which the default mode enforces: before it, namespaces without the
   * `oneproc.dev/mode` label are warned, each warning naming the day; from 00:00 UTC that day they are
   * enforced. Needs `mode: 'enforce'`. Labelled namespaces keep their label's mode.
   * @default - no escalation
   */
  readonly enforceAfter?: string;
  /**
   * Who may add or change the exemption annotations (`oneproc.dev/allow-multiple-workers`,
   * `oneproc.dev/allow-until`), decided from the request's `userInfo`.
   * @default - anyone who may write a workload may exempt it
   */
  readonly exemptions?: WebhookExemptionAuthority;
  /**
   * What the API server does when it cannot reach the webhook, for enforce-mode namespaces (warn-mode
   * namespaces always use Ignore). See docs/install.md for why Ignore is the default.
   * @default 'Ignore'
   * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy
   */
  readonly failurePolicy?: WebhookFailurePolicy;
  /**
   * Seconds the API server waits for an answer (1–3).
   * @default 3
   */
  readonly timeoutSeconds?: number;
  /**
   * Namespaces never checked, besides kube-system and the webhook's own.
   * @default []
   */
  readonly excludedNamespaces?: string[];
  /**
   * Skip, in the API server, requests that cannot be rejected (needs Kubernetes >= 1.28).
   * @default true
   * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-matchconditions
   */
  readonly matchConditions?: boolean;
  /**
   * The serving certificate.
   * @default WebhookCertificate.certManager()
   */
  readonly certificate?: WebhookCertificate;
}

/** The matchConditions of every webhook entry (the same text as charts/oneproc/templates/_helpers.tpl). */
export const WEBHOOK_MATCH_CONDITIONS: ReadonlyArray<{ readonly name: string; readonly expression: string }> =
  [
    // The policy's (src/policy/cel.ts): not being deleted, not a mirror pod, not created from a checked
    // template (only what a built-in controller sends: see src/manifest/controllers.ts).
    ...MATCH_CONDITIONS,
    {
      name: 'sets-command-or-args',
      expression:
        "[request.kind.kind == 'Pod' ? object.spec : " +
        "(request.kind.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec) " +
        '].exists(s, ' +
        '(has(s.containers) && s.containers.exists(c, has(c.command) || has(c.args))) || ' +
        '(has(s.initContainers) && s.initContainers.exists(c, has(c.command) || has(c.args))))',
    },
  ];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a user or group name with control characters is refused
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * The oneproc admission webhook: Deployment, Service, ServiceAccount, PodDisruptionBudget (with more than
 * one replica), NetworkPolicy, ValidatingWebhookConfiguration (one entry per namespace mode) and its
 * certificate.
 */
export class AdmissionWebhook extends Construct {
  public readonly namespace: string;
  public readonly name: string;
  public readonly image: string;
  public readonly replicas: number;
  public readonly mode: WebhookMode;
  public readonly failurePolicy: WebhookFailurePolicy;
  public readonly timeoutSeconds: number;
  /** Namespaces no webhook entry selects: kube-system, the webhook's own, and `excludedNamespaces`. */
  public readonly excludedNamespaces: readonly string[];
  public readonly certificate: WebhookCertificate;
  /** The Secret holding tls.crt and tls.key. */
  public readonly tlsSecretName: string;

  constructor(scope: Construct, id: string, props: AdmissionWebhookProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? 'oneproc-system';
    this.name = props.name ?? 'oneproc';
    this.image = props.image ?? `ghcr.io/oneproc/oneproc:${VERSION}`;
    this.replicas = props.replicas ?? 2;
    this.mode = props.mode ?? 'enforce';
    this.failurePolicy = props.failurePolicy ?? 'Ignore';
    this.timeoutSeconds = props.timeoutSeconds ?? 3;
    this.certificate = props.certificate ?? WebhookCertificate.certManager();
    this.excludedNamespaces = [
      ...new Set(['kube-system', this.namespace, ...(props.excludedNamespaces ?? [])]),
    ];
    this.tlsSecretName =
      this.certificate instanceof ExistingSecretCertificate
        ? this.certificate.secretName
        : `${this.name}-tls`;

    const fail = (problem: string) => new AdmissionWebhookError(this.node.path || id, problem);
    if (!DNS_LABEL.test(this.namespace))
      throw fail(`'namespace' (${this.namespace}) is not a valid namespace name`);
    if (!DNS_LABEL.test(this.name))
      throw fail(`'name' (${this.name}) must be a DNS label (it names the Service)`);
    if (this.mode !== 'enforce' && this.mode !== 'warn') {
      throw fail(`'mode' (${String(this.mode)}) must be enforce or warn`);
    }
    if (this.failurePolicy !== 'Ignore' && this.failurePolicy !== 'Fail') {
      throw fail(`'failurePolicy' (${String(this.failurePolicy)}) must be Ignore or Fail`);
    }
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw fail(`'replicas' (${this.replicas}) must be a whole number of at least 1`);
    }
    if (this.failurePolicy === 'Fail' && this.replicas < 2) {
      throw fail(
        `'replicas' (${this.replicas}) must be at least 2 when 'failurePolicy' is Fail: with one pod, every restart of it rejects all pod and workload changes`,
      );
    }
    if (!Number.isInteger(this.timeoutSeconds) || this.timeoutSeconds < 1 || this.timeoutSeconds > 3) {
      throw fail(`'timeoutSeconds' (${this.timeoutSeconds}) must be between 1 and 3`);
    }
    for (const ns of props.excludedNamespaces ?? []) {
      if (!DNS_LABEL.test(ns))
        throw fail(`'excludedNamespaces' contains '${ns}', not a valid namespace name`);
    }
    const enforceAfter = props.enforceAfter;
    if (enforceAfter !== undefined) {
      if (startOfDayUtc(enforceAfter) === undefined) {
        throw fail(
          `'enforceAfter' (${JSON.stringify(enforceAfter)}) must be a calendar date written YYYY-MM-DD`,
        );
      }
      if (this.mode !== 'enforce') {
        throw fail(
          `'enforceAfter' escalates the default mode from warn to enforce on its day, but 'mode' is ${this.mode}`,
        );
      }
    }
    const exemptionArgs: string[] = [];
    for (const [field, flag] of [
      ['allowedUsers', '--exempt-users'],
      ['allowedGroups', '--exempt-groups'],
    ] as const) {
      const names = props.exemptions?.[field] ?? [];
      for (const name of names) {
        if (typeof name !== 'string' || name === '' || name.length > 512 || CONTROL_CHARACTER.test(name)) {
          throw fail(
            `'exemptions.${field}' holds ${JSON.stringify(name)}: names must be printable, 1 to 512 characters`,
          );
        }
        exemptionArgs.push(flag, name);
      }
    }

    const selector = {
      'app.kubernetes.io/name': 'oneproc',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/component': 'webhook',
    };
    const labels = { ...selector, 'app.kubernetes.io/version': VERSION };
    const meta = (name: string) => ({ name, namespace: this.namespace, labels });

    if (props.createNamespace ?? true) {
      new ApiObject(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: this.namespace,
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            [MODE_LABEL]: 'off',
          },
        },
      });
    }

    new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(this.name),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { ports: [{ port: 'https', protocol: 'TCP' }] },
          { ports: [{ port: 'metrics', protocol: 'TCP' }], from: [{ namespaceSelector: {} }] },
        ],
        egress: [],
      },
    });

    // Keeps one pod through voluntary disruptions. With a single replica a budget of one would forbid
    // every eviction, so a node drain could never finish; the chart refuses that combination (its
    // podDisruptionBudget.minAvailable must be below replicaCount) and renders no budget when disabled.
    // https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
    if (this.replicas > 1) {
      new ApiObject(this, 'PodDisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(this.name),
        spec: { minAvailable: 1, selector: { matchLabels: selector } },
      });
    }

    new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(this.name),
      automountServiceAccountToken: false,
    });

    new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(this.name),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
          { name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' },
        ],
      },
    });

    const httpsProbe = (path: string) => ({ path, port: 'https', scheme: 'HTTPS' });
    new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(this.name),
      spec: {
        replicas: this.replicas,
        revisionHistoryLimit: 3,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: selector,
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(METRICS_PORT),
              'prometheus.io/path': '/metrics',
            },
          },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              fsGroup: 65532,
              runAsGroup: 65532,
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map(
              (key) => ({
                maxSkew: 1,
                topologyKey: key,
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selector },
              }),
            ),
            containers: [
              {
                name: 'webhook',
                image: this.image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '--tls-cert',
                  '/etc/oneproc/tls/tls.crt',
                  '--tls-key',
                  '/etc/oneproc/tls/tls.key',
                  '--port',
                  String(WEBHOOK_PORT),
                  '--metrics-port',
                  String(METRICS_PORT),
                  '--mode',
                  this.mode,
                  ...(enforceAfter !== undefined ? ['--enforce-after', enforceAfter] : []),
                  ...exemptionArgs,
                ],
                ports: [
                  { name: 'https', containerPort: WEBHOOK_PORT, protocol: 'TCP' },
                  { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                ],
                startupProbe: { httpGet: httpsProbe('/healthz'), periodSeconds: 2, failureThreshold: 30 },
                livenessProbe: {
                  httpGet: httpsProbe('/healthz'),
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: httpsProbe('/readyz'),
                  periodSeconds: 5,
                  timeoutSeconds: 2,
                  failureThreshold: 2,
                },
                resources: {
                  limits: { cpu: '500m', memory: '256Mi' },
                  requests: { cpu: '50m', memory: '96Mi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                },
                volumeMounts: [
                  { name: 'tls', mountPath: '/etc/oneproc/tls', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: this.tlsSecretName, defaultMode: 0o440 } },
              { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
            ],
          },
        },
      },
    });

    let caBundle: string | undefined;
    let annotations: Record<string, string> | undefined;
    if (this.certificate instanceof ExistingSecretCertificate) {
      caBundle = this.certificate.caBundle;
    } else if (this.certificate instanceof CertManagerCertificate) {
      const servingName = `${this.name}-serving`;
      annotations = { 'cert-manager.io/inject-ca-from': `${this.namespace}/${servingName}` };
      this.addCertManagerObjects(this.certificate.options, servingName, meta);
    }

    const entries = [
      {
        name: 'enforce.oneproc.dev',
        path: '/validate/enforce',
        operator: 'In',
        values: ['enforce'],
        fp: this.failurePolicy,
      },
      { name: 'warn.oneproc.dev', path: '/validate/warn', operator: 'In', values: ['warn'], fp: 'Ignore' },
      {
        name: 'default.oneproc.dev',
        path: '/validate',
        operator: 'NotIn',
        values: ['enforce', 'warn', 'off'],
        fp: this.mode === 'enforce' ? this.failurePolicy : 'Ignore',
      },
    ];
    new ApiObject(this, 'ValidatingWebhookConfiguration', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: this.name, labels, ...(annotations ? { annotations } : {}) },
      webhooks: entries.map((e) => ({
        name: e.name,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        timeoutSeconds: this.timeoutSeconds,
        failurePolicy: e.fp,
        matchPolicy: 'Equivalent',
        clientConfig: {
          service: { name: this.name, namespace: this.namespace, path: e.path, port: 443 },
          ...(caBundle ? { caBundle } : {}),
        },
        namespaceSelector: {
          matchExpressions: [
            { key: MODE_LABEL, operator: e.operator, values: e.values },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...this.excludedNamespaces] },
          ],
        },
        // The same resources and operations as the ValidatingAdmissionPolicy of `oneproc policy`.
        rules: RESOURCE_RULES.map((rule) => structuredClone(rule)),
        ...((props.matchConditions ?? true)
          ? { matchConditions: WEBHOOK_MATCH_CONDITIONS.map((c) => ({ ...c })) }
          : {}),
      })),
    });
  }

  private addCertManagerObjects(
    options: CertManagerOptions,
    servingName: string,
    meta: (name: string) => Record<string, unknown>,
  ): void {
    let issuerRef = options.issuerRef;
    if (!issuerRef) {
      const caName = `${this.name}-ca`;
      const selfSigned = `${this.name}-selfsigned`;
      new ApiObject(this, 'SelfSignedIssuer', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: meta(selfSigned),
        spec: { selfSigned: {} },
      });
      new ApiObject(this, 'CaCertificate', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: meta(caName),
        spec: {
          isCA: true,
          commonName: caName,
          secretName: caName,
          duration: '87600h',
          privateKey: { algorithm: 'ECDSA', size: 256 },
          issuerRef: { name: selfSigned, kind: 'Issuer', group: 'cert-manager.io' },
        },
      });
      new ApiObject(this, 'CaIssuer', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: meta(caName),
        spec: { ca: { secretName: caName } },
      });
      issuerRef = { name: caName };
    }
    const host = `${this.name}.${this.namespace}`;
    new ApiObject(this, 'ServingCertificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(servingName),
      spec: {
        secretName: this.tlsSecretName,
        commonName: `${host}.svc`,
        dnsNames: [this.name, host, `${host}.svc`, `${host}.svc.cluster.local`],
        duration: options.duration ?? '2160h',
        renewBefore: options.renewBefore ?? '360h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature', 'key encipherment'],
        issuerRef: {
          name: issuerRef.name,
          kind: issuerRef.kind ?? 'Issuer',
          group: issuerRef.group ?? 'cert-manager.io',
        },
      },
    });
  }
}
