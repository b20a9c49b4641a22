/**
 * `SingleProcessApp`: a web service run the way oneproc recommends — one server process per
 * container, capacity from replicas under a HorizontalPodAutoscaler, a Service in front, shared state
 * in Redis — with production defaults (probes, PodDisruptionBudget, topology spread, graceful
 * shutdown, a hardened security context). Its container goes through oneproc's rule engine at
 * construction: a multi-worker command fails `cdk8s synth`.
 */
import { ApiObject, Duration, JsonPatch, Names, Size } from 'cdk8s';
import {
  type Capability,
  type ContainerProps,
  Cpu,
  Deployment,
  EnvValue,
  Handler,
  HorizontalPodAutoscaler,
  type ImagePullPolicy,
  k8s,
  LabelSelector,
  Metric,
  MetricTarget,
  Probe,
  Replicas,
  Service,
  ServiceAccount,
  Volume,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from '../names';
import type { Exemption, Finding } from '../types';
import { MultipleWorkersError, SingleProcessAppError } from './errors';
import { guardContainer } from './guard';
import { DEFAULTS, type SingleProcessAppProps, type SpreadPolicy } from './props';
import { cpuMillis } from './quantities';
import { type EnvVar, Redis, secretEnv } from './redis';
import { type ParsedProps, parseProps } from './schema';

/** The name of the app container. */
export const APP_CONTAINER = 'app';

type Fail = (prop: string, value: unknown, problem: string) => SingleProcessAppError;

/** The numbers and quantities the objects are built from: each prop, or its default. */
interface Settings {
  readonly port: number;
  readonly servicePort: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  readonly targetMemoryUtilization?: number;
  readonly scaleDownStabilizationSeconds: number;
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memory: string;
  readonly drainSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly automountServiceAccountToken: boolean;
}

/** Names, labels and annotations shared by the app's objects. */
interface Identity {
  /** The construct path, as errors and synth messages name the app. */
  readonly where: string;
  /** `name`, or the construct id: the `app.kubernetes.io/name` label and the guard's workload name. */
  readonly appName: string;
  readonly legacy: boolean;
  /** The `app.kubernetes.io/instance` label of the pods. */
  readonly instance: string;
  readonly commonLabels: Record<string, string>;
  readonly podLabels: Record<string, string>;
  /** What the Deployment, Service and budget select the pods by (unless legacy). */
  readonly selectorLabels: Record<string, string>;
  readonly exemptionAnnotations: Record<string, string>;
  /** Metadata of an object: name (with an optional suffix), namespace, labels, annotations. */
  readonly metadata: (suffix?: string) => {
    name?: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
}

/**
 * A single-process web app: Deployment, HorizontalPodAutoscaler, Service, PodDisruptionBudget, and an
 * optional Redis.
 */
export class SingleProcessApp extends Construct {
  readonly deployment: Deployment;
  readonly service: Service;
  readonly autoscaler: HorizontalPodAutoscaler;
  readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  /** The in-cluster Redis, when `redis` asks for one. */
  readonly redis?: Redis;
  /**
   * Engine warnings about the container, and the errors `allowMultipleWorkers` exempts (`exempted` set);
   * printed on standard error at synth, the exempted ones as exempted.
   */
  readonly warnings: readonly Finding[];

  readonly port: number;
  readonly servicePort: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  readonly targetMemoryUtilization?: number;
  readonly scaleDownStabilizationSeconds: number;
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memory: string;
  readonly drainSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly automountServiceAccountToken: boolean;
  /** The env of the app container, in order (kubelet expands `$(VAR)` only from earlier entries). */
  readonly env: readonly EnvVar[];

  constructor(scope: Construct, id: string, props: SingleProcessAppProps) {
    super(scope, id);
    const where = this.node.path || id;
    const fail: Fail = (prop, value, problem) => new SingleProcessAppError(where, prop, value, problem);
    const p = parseProps(where, props);
    const settings = resolveDefaults(p);
    checkSettings(settings, fail);
    const exemption = exemptionOf(p);
    checkWebConcurrency(p, exemption, fail);
    this.port = settings.port;
    this.servicePort = settings.servicePort;
    this.minReplicas = settings.minReplicas;
    this.maxReplicas = settings.maxReplicas;
    this.targetCpuUtilization = settings.targetCpuUtilization;
    this.targetMemoryUtilization = settings.targetMemoryUtilization;
    this.scaleDownStabilizationSeconds = settings.scaleDownStabilizationSeconds;
    this.cpuRequest = settings.cpuRequest;
    this.cpuLimit = settings.cpuLimit;
    this.memory = settings.memory;
    this.drainSeconds = settings.drainSeconds;
    this.gracePeriodSeconds = settings.gracePeriodSeconds;
    this.runAsUser = settings.runAsUser;
    this.runAsGroup = settings.runAsGroup;
    this.automountServiceAccountToken = settings.automountServiceAccountToken;
    const identity = this.identity(p, id, where, exemption);

    // Redis first: its Service name goes into REDIS_URL, and REDIS_URL goes through the guard.
    const redis = this.addRedis(p, identity);
    this.redis = redis.construct;
    this.env = buildEnv(p, redis.env, fail);
    this.warnings = this.guard(p, identity, settings);

    this.deployment = this.addDeployment(p, identity, settings);
    this.service = this.addService(p, identity, settings);
    this.autoscaler = this.addAutoscaler(identity, settings);
    this.podDisruptionBudget = this.addDisruptionBudget(identity);
  }

  /** The names and labels of the app; the instance label from `name` when given, else the construct path. */
  private identity(p: ParsedProps, id: string, where: string, exemption: Exemption | undefined): Identity {
    const appName = p.name ?? id;
    const legacy = p.legacySelector ?? DEFAULTS.legacySelector;
    // The instance label identifies this app's pods: from its name (stable across refactors of the
    // construct tree), or from the construct path when the objects' names come from it too.
    const instance = !legacy && p.name !== undefined ? p.name : Names.toLabelValue(this);
    const commonLabels = { 'app.kubernetes.io/name': labelValue(appName), ...p.labels };
    const podLabels = {
      ...commonLabels,
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/instance': instance,
    };
    const exemptionAnnotations: Record<string, string> = exemption
      ? {
          [EXEMPT_ANNOTATION]: exemption.reason,
          ...(exemption.until && { [EXEMPT_UNTIL_ANNOTATION]: exemption.until }),
        }
      : {};
    const metadata = (suffix?: string) => ({
      ...(p.name !== undefined && { name: suffix ? `${p.name}-${suffix}` : p.name }),
      ...(p.namespace !== undefined && { namespace: p.namespace }),
      labels: { ...commonLabels },
      annotations: { ...p.annotations },
    });
    // The selector: this app's server pods by their instance label; never the construct path (unless legacy).
    const selectorLabels = {
      'app.kubernetes.io/instance': instance,
      'app.kubernetes.io/component': 'server',
    };
    return {
      where,
      appName,
      legacy,
      instance,
      commonLabels,
      podLabels,
      selectorLabels,
      exemptionAnnotations,
      metadata,
    };
  }

  /** The in-cluster Redis `redis` asks for, or the external one's URL; the env the app gets from it. */
  private addRedis(p: ParsedProps, identity: Identity): { construct?: Redis; env: EnvVar[] } {
    if (p.redis === undefined) return { env: [] };
    if (p.redis !== true && p.redis.url !== undefined) return { env: [secretEnv('REDIS_URL', p.redis.url)] };
    const redis = new Redis(this, 'Redis', {
      ...(p.redis === true ? {} : p.redis),
      name: p.name !== undefined ? `${p.name}-redis` : undefined,
      legacySelector: identity.legacy,
      namespace: p.namespace,
      labels: identity.commonLabels,
      clientLabels: {
        'app.kubernetes.io/instance': identity.instance,
        'app.kubernetes.io/component': 'server',
      },
    });
    return { construct: redis, env: redis.clientEnv() };
  }

  /**
   * Runs the rule engine on the container: a multi-worker command fails here (unless exempted). Returns
   * the warnings, which are recorded as metadata and printed once at synth.
   */
  private guard(p: ParsedProps, identity: Identity, settings: Settings): Finding[] {
    const { where } = identity;
    const guard = guardContainer({
      container: { name: APP_CONTAINER, image: p.image, command: p.command, args: p.args, env: this.env },
      name: identity.appName,
      namespace: p.namespace,
      annotations: identity.exemptionAnnotations,
      exemptionProp: 'allowMultipleWorkers',
    });
    if (guard.errors.length > 0) throw new MultipleWorkersError(where, guard.errors);
    const warnings: Finding[] = [...guard.warnings, ...settingWarnings(settings)];
    for (const w of warnings) {
      this.node.addMetadata(w.exempted ? 'oneproc:exempted' : 'oneproc:warning', w.message);
    }
    // Printed once at synth, on standard error: a warning as a warning, an exempted finding as exempted.
    let printed = false;
    this.node.addValidation({
      validate: () => {
        if (!printed) for (const w of warnings) process.stderr.write(`${synthLine(where, w)}\n`);
        printed = true;
        return [];
      },
    });
    return warnings;
  }

  /** The app container: one process, hardened, probed, drained before SIGTERM. */
  private container(p: ParsedProps, settings: Settings): ContainerProps {
    const tmp = Volume.fromEmptyDir(this, 'Tmp', 'tmp');
    return {
      name: APP_CONTAINER,
      image: p.image,
      command: p.command,
      args: p.args,
      imagePullPolicy: (p.imagePullPolicy ?? defaultPullPolicy(p.image)) as ImagePullPolicy,
      ports: [{ number: settings.port, name: 'http' }],
      envVariables: Object.fromEntries(
        this.env.map((e) => [
          e.name,
          e.valueFrom ? envFromSource(e.valueFrom) : EnvValue.fromValue(e.value ?? ''),
        ]),
      ),
      resources: {
        cpu: { request: cpuOf(settings.cpuRequest), limit: cpuOf(settings.cpuLimit) },
        memory: { request: sizeOf(settings.memory), limit: sizeOf(settings.memory) },
      },
      securityContext: {
        ensureNonRoot: true,
        user: settings.runAsUser,
        group: settings.runAsGroup,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL' as Capability] },
      },
      volumeMounts: [{ path: '/tmp', volume: tmp }],
      ...probes(p, settings.port),
      ...(settings.drainSeconds > 0 && {
        lifecycle: { preStop: Handler.fromCommand(['sleep', String(settings.drainSeconds)]) },
      }),
    };
  }

  /** The Deployment, its selector, and what cdk8s-plus cannot say (seccomp, service links, spread). */
  private addDeployment(p: ParsedProps, identity: Identity, settings: Settings): Deployment {
    const { legacy, exemptionAnnotations } = identity;
    const deployment = new Deployment(this, 'Deployment', {
      select: legacy,
      metadata: { ...identity.metadata(), annotations: { ...p.annotations, ...exemptionAnnotations } },
      podMetadata: {
        labels: identity.podLabels,
        annotations: { ...p.podAnnotations, ...exemptionAnnotations },
      },
      containers: [this.container(p, settings)],
      securityContext: {
        ensureNonRoot: true,
        user: settings.runAsUser,
        group: settings.runAsGroup,
        fsGroup: settings.runAsGroup,
      },
      automountServiceAccountToken: settings.automountServiceAccountToken,
      ...(p.serviceAccountName !== undefined && {
        serviceAccount: ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', p.serviceAccountName),
      }),
      terminationGracePeriod: Duration.seconds(settings.gracePeriodSeconds),
    });
    if (!legacy) deployment.select(LabelSelector.of({ labels: identity.selectorLabels }));
    const deploymentObject = ApiObject.of(deployment);
    if (!legacy) {
      // cdk8s-plus labels every pod with its construct path; nothing selects by it here, and a renamed
      // construct would otherwise roll every pod for a label change alone.
      deploymentObject.addJsonPatch(
        JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      );
    }
    deploymentObject.addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', {
        type: 'RuntimeDefault',
      }),
      // Service links put one set of variables per Service of the namespace into the env (a Service named
      // `redis` sets REDIS_PORT=tcp://…, which breaks clients that read REDIS_PORT as a number).
      JsonPatch.add('/spec/template/spec/enableServiceLinks', false),
    );
    const spread = spreadConstraints(p, deployment.matchLabels);
    if (spread.length > 0) {
      deploymentObject.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', spread));
    }
    return deployment;
  }

  /** The Service in front of the pods, with session affinity when asked. */
  private addService(p: ParsedProps, identity: Identity, settings: Settings): Service {
    const service = new Service(this, 'Service', {
      metadata: identity.metadata(),
      ...(identity.legacy && { selector: this.deployment }),
      ports: [{ name: 'http', port: settings.servicePort, targetPort: settings.port }],
    });
    if (!identity.legacy) {
      for (const [key, value] of Object.entries(identity.selectorLabels)) service.selectLabel(key, value);
    }
    if (p.sessionAffinity !== undefined) {
      const timeoutSeconds =
        p.sessionAffinity === true
          ? DEFAULTS.sessionAffinity.timeoutSeconds
          : (p.sessionAffinity.timeoutSeconds ?? DEFAULTS.sessionAffinity.timeoutSeconds);
      ApiObject.of(service).addJsonPatch(
        JsonPatch.add('/spec/sessionAffinity', 'ClientIP'),
        // The generated KubeService maps its spec through jsii names after patching: `clientIp` is
        // written out as Kubernetes' `clientIP`.
        JsonPatch.add('/spec/sessionAffinityConfig', { clientIp: { timeoutSeconds } }),
      );
    }
    return service;
  }

  /** The HorizontalPodAutoscaler: CPU (and memory when asked), scaling down slowly. */
  private addAutoscaler(identity: Identity, settings: Settings): HorizontalPodAutoscaler {
    const metrics = [Metric.resourceCpu(MetricTarget.averageUtilization(settings.targetCpuUtilization))];
    if (settings.targetMemoryUtilization !== undefined) {
      metrics.push(Metric.resourceMemory(MetricTarget.averageUtilization(settings.targetMemoryUtilization)));
    }
    return new HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: identity.metadata(),
      target: this.deployment,
      minReplicas: settings.minReplicas,
      maxReplicas: settings.maxReplicas,
      metrics,
      scaleDown: {
        stabilizationWindow: Duration.seconds(settings.scaleDownStabilizationSeconds),
        // Remove at most half of the pods per minute: a drop in load rarely means all of it is gone.
        policies: [{ replicas: Replicas.percent(50), duration: Duration.minutes(1) }],
      },
    });
  }

  /** The PodDisruptionBudget: one pod at a time. */
  private addDisruptionBudget(identity: Identity): k8s.KubePodDisruptionBudget {
    return new k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: identity.metadata(),
      spec: {
        // One pod at a time, whatever the replica count: drains proceed, capacity never drops by more.
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        // Pods that are not ready serve nothing: let drains evict them instead of waiting forever.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
        selector: { matchLabels: this.deployment.matchLabels },
      },
    });
  }
}

/** Each setting from its prop or from DEFAULTS. */
function resolveDefaults(p: ParsedProps): Settings {
  const minReplicas = p.replicas?.min ?? DEFAULTS.replicas.min;
  const drainSeconds = p.shutdown?.drainSeconds ?? DEFAULTS.shutdown.drainSeconds;
  return {
    port: p.port,
    servicePort: p.servicePort ?? p.port,
    minReplicas,
    // The default maximum never falls below a minimum that was raised past it.
    maxReplicas: p.replicas?.max ?? Math.max(DEFAULTS.replicas.max, minReplicas),
    targetCpuUtilization: p.replicas?.targetCpuUtilization ?? DEFAULTS.replicas.targetCpuUtilization,
    targetMemoryUtilization: p.replicas?.targetMemoryUtilization,
    scaleDownStabilizationSeconds:
      p.replicas?.scaleDownStabilizationSeconds ?? DEFAULTS.replicas.scaleDownStabilizationSeconds,
    cpuRequest: p.resources?.cpu ?? DEFAULTS.resources.cpu,
    // One core: a request above it is refused (checkSettings), so the default limit is always at least it.
    cpuLimit: p.resources?.cpuLimit ?? DEFAULTS.resources.cpuLimit,
    memory: p.resources?.memory ?? DEFAULTS.resources.memory,
    drainSeconds,
    // The default grace period leaves the server 10 s after a drain that was raised past it.
    gracePeriodSeconds:
      p.shutdown?.gracePeriodSeconds ?? Math.max(DEFAULTS.shutdown.gracePeriodSeconds, drainSeconds + 10),
    runAsUser: p.runAsUser ?? DEFAULTS.runAsUser,
    runAsGroup: p.runAsGroup ?? DEFAULTS.runAsGroup,
    automountServiceAccountToken: p.automountServiceAccountToken ?? DEFAULTS.automountServiceAccountToken,
  };
}

/** The rules between props, which the schema checks one by one: each error names the prop to change. */
function checkSettings(s: Settings, fail: Fail): void {
  if (s.minReplicas > s.maxReplicas) {
    throw fail(
      'replicas.min',
      s.minReplicas,
      `must be less than or equal to 'replicas.max' (${s.maxReplicas})`,
    );
  }
  if (cpuMillis(s.cpuRequest) > 1000) {
    throw fail(
      'resources.cpu',
      s.cpuRequest,
      'is more than one core, which one server process cannot use (one interpreter, one event loop): ' +
        'request at most "1" and scale out with replicas',
    );
  }
  if (cpuMillis(s.cpuLimit) < cpuMillis(s.cpuRequest)) {
    throw fail('resources.cpuLimit', s.cpuLimit, `must be at least 'resources.cpu' (${s.cpuRequest})`);
  }
  if (s.drainSeconds >= s.gracePeriodSeconds) {
    throw fail(
      'shutdown.gracePeriodSeconds',
      s.gracePeriodSeconds,
      `must be greater than 'shutdown.drainSeconds' (${s.drainSeconds}), or SIGTERM never reaches the server`,
    );
  }
}

/** Settings that work but waste capacity or availability: warnings, not errors. */
function settingWarnings(s: Settings): Finding[] {
  const warnings: Finding[] = [];
  if (cpuMillis(s.cpuLimit) > 1000) {
    warnings.push(
      resourceWarning(
        `resources.cpuLimit (${s.cpuLimit}) is more than one core, which one server process cannot use; ` +
          'keep it at "1" and scale out with replicas.',
      ),
    );
  }
  if (s.minReplicas < 2) {
    warnings.push(
      resourceWarning(
        `replicas.min (${s.minReplicas}) leaves one pod: every rollout, eviction or crash is an outage. ` +
          'Use at least 2.',
      ),
    );
  }
  return warnings;
}

function exemptionOf(p: ParsedProps): Exemption | undefined {
  return (
    p.allowMultipleWorkers && {
      reason: p.allowMultipleWorkers.reason,
      ...(p.allowMultipleWorkers.until !== undefined && { until: p.allowMultipleWorkers.until }),
    }
  );
}

function checkWebConcurrency(p: ParsedProps, exemption: Exemption | undefined, fail: Fail): void {
  if (p.envValueFrom?.WEB_CONCURRENCY !== undefined) {
    throw fail(
      'envValueFrom.WEB_CONCURRENCY',
      p.envValueFrom.WEB_CONCURRENCY,
      'hides the worker count of servers that read WEB_CONCURRENCY (uvicorn, gunicorn, …); ' +
        'leave it out (SingleProcessApp sets "1") or set env.WEB_CONCURRENCY',
    );
  }
  const value = p.env?.WEB_CONCURRENCY;
  if (value === undefined || value.trim() === '1' || exemption) return;
  const count = /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
  throw fail(
    'env.WEB_CONCURRENCY',
    value,
    count !== undefined && count > 1
      ? `starts ${count} worker processes in servers that read it (uvicorn, gunicorn, …): each has its own memory, ` +
          'so sessions and caches differ between requests. Leave it out (SingleProcessApp sets "1"), scale with ' +
          "'replicas' and keep shared state in Redis"
      : 'must be "1": servers that read it (uvicorn, gunicorn, …) start that many worker processes',
  );
}

/** The container env, in the order the kubelet needs: Redis variables, WEB_CONCURRENCY, then the user's. */
function buildEnv(p: ParsedProps, redisEnv: EnvVar[], fail: Fail): EnvVar[] {
  const env: EnvVar[] = [...redisEnv];
  const reserved = new Set(redisEnv.map((e) => e.name));
  for (const [name, value] of Object.entries(p.env ?? {})) {
    if (reserved.has(name)) throw fail(`env.${name}`, value, `is set by 'redis'; remove one of them`);
  }
  for (const [name, ref] of Object.entries(p.envValueFrom ?? {})) {
    if (reserved.has(name)) throw fail(`envValueFrom.${name}`, ref, `is set by 'redis'; remove one of them`);
    if (p.env?.[name] !== undefined) throw fail(`envValueFrom.${name}`, ref, `is also set in 'env.${name}'`);
  }
  if (p.env?.WEB_CONCURRENCY === undefined) env.push({ name: 'WEB_CONCURRENCY', value: '1' });
  for (const [name, value] of Object.entries(p.env ?? {})) env.push({ name, value });
  for (const [name, ref] of Object.entries(p.envValueFrom ?? {})) {
    env.push(
      'secret' in ref
        ? secretEnv(name, ref)
        : { name, valueFrom: { configMapKeyRef: { name: ref.configMap, key: ref.key } } },
    );
  }
  return env;
}

function envFromSource(source: k8s.EnvVarSource): EnvValue {
  if (source.secretKeyRef) {
    const { name, key } = source.secretKeyRef;
    return EnvValue.fromSecretValue({ secret: { name } as never, key });
  }
  const ref = source.configMapKeyRef!;
  return EnvValue.fromConfigMap({ name: ref.name } as never, ref.key);
}

function probes(p: ParsedProps, port: number): Pick<ContainerProps, 'readiness' | 'liveness' | 'startup'> {
  const path = p.probes?.path;
  const timeoutSeconds = Duration.seconds(p.probes?.timeoutSeconds ?? DEFAULTS.probes.timeoutSeconds);
  const failureThreshold = p.probes?.failureThreshold ?? DEFAULTS.probes.failureThreshold;
  const make = (periodSeconds: number, threshold: number) => {
    const options = {
      port,
      periodSeconds: Duration.seconds(periodSeconds),
      timeoutSeconds,
      failureThreshold: threshold,
    };
    return path !== undefined ? Probe.fromHttpGet(path, options) : Probe.fromTcpSocket(options);
  };
  const startupSeconds = p.probes?.startupSeconds ?? DEFAULTS.probes.startupSeconds;
  return {
    readiness: make(
      p.probes?.readinessPeriodSeconds ?? DEFAULTS.probes.readinessPeriodSeconds,
      failureThreshold,
    ),
    liveness: make(
      p.probes?.livenessPeriodSeconds ?? DEFAULTS.probes.livenessPeriodSeconds,
      failureThreshold,
    ),
    ...(startupSeconds > 0 && { startup: make(2, Math.max(1, Math.ceil(startupSeconds / 2))) }),
  };
}

function spreadConstraints(
  p: ParsedProps,
  matchLabels: Record<string, string>,
): k8s.TopologySpreadConstraint[] {
  const domains: Array<[string, SpreadPolicy]> = [
    ['kubernetes.io/hostname', p.spread?.nodes ?? DEFAULTS.spread.nodes],
    ['topology.kubernetes.io/zone', p.spread?.zones ?? DEFAULTS.spread.zones],
  ];
  return domains
    .filter(([, policy]) => policy !== 'off')
    .map(([topologyKey, whenUnsatisfiable]) => ({
      topologyKey,
      maxSkew: 1,
      whenUnsatisfiable,
      labelSelector: { matchLabels: { ...matchLabels } },
      // Count only pods of the same revision, so a rollout is not blocked by the old ReplicaSet's pods.
      matchLabelKeys: ['pod-template-hash'],
      // Nodes the pods cannot run on (tainted, cordoned) are not domains to balance over.
      nodeTaintsPolicy: 'Honor',
    }));
}

/** One line of what `cdk8s synth` prints about the app: a warning, or a finding the exemption covers. */
function synthLine(where: string, w: Finding): string {
  if (!w.exempted) return `oneproc warning: ${where}: ${w.message} (${w.path})`;
  const until = w.exempted.until ? ` until ${w.exempted.until}` : '';
  return `oneproc: ${where}: exempted by allowMultipleWorkers${until} (${JSON.stringify(w.exempted.reason)}): ${w.message} (${w.path})`;
}

function resourceWarning(message: string): Finding {
  return {
    rule: 'resources',
    category: 'web',
    severity: 'warning',
    message,
    path: 'spec',
    workers: null,
    origin: {},
  };
}

function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function cpuOf(quantity: string): Cpu {
  const millis = cpuMillis(quantity);
  return millis % 1000 === 0 ? Cpu.units(millis / 1000) : Cpu.millis(millis);
}

function sizeOf(quantity: string): Size {
  const amount = Number(quantity.slice(0, -2));
  return quantity.endsWith('Gi') ? Size.gibibytes(amount) : Size.mebibytes(amount);
}

function labelValue(name: string): string {
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}
