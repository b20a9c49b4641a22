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
import { cpuMillis } from './quantities';
import {
  type ConfigMapKeyRef,
  type EnvVar,
  type ExternalRedisOptions,
  Redis,
  type RedisOptions,
  type SecretKeyRef,
  secretEnv,
} from './redis';
import { type ParsedProps, parseProps } from './schema';

/** Replicas and the HorizontalPodAutoscaler that chooses them. */
export interface ReplicaOptions {
  /**
   * Fewest replicas. Two, so one pod can be replaced (rollout, eviction, crash) while another serves.
   * @default 2
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly min?: number;
  /**
   * Most replicas.
   * @default 10
   */
  readonly max?: number;
  /**
   * Average CPU use, as a percentage of the CPU request, that the autoscaler keeps pods at.
   * @default 70
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
   */
  readonly targetCpuUtilization?: number;
  /**
   * Average memory use, as a percentage of the memory request, to scale on as well.
   * Only for apps whose memory grows with load (most do not: memory is not returned to the OS).
   * @default - CPU only
   */
  readonly targetMemoryUtilization?: number;
  /**
   * How long the autoscaler waits before scaling down after load drops, so a short lull does not
   * remove pods that a returning peak needs.
   * @default 300
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/** CPU and memory of the one process. */
export interface ResourceOptions {
  /**
   * CPU request. One interpreter process (the GIL, one event loop) uses at most one core, so a request
   * above one core is refused: scale out with replicas instead.
   * @default '250m'
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   */
  readonly cpu?: string;
  /**
   * CPU limit. One core: room for bursts (startup, garbage collection) without letting one pod take a
   * node.
   * @default '1'
   */
  readonly cpuLimit?: string;
  /**
   * Memory request and limit (equal: memory cannot be throttled, only killed, so a pod must never rely
   * on memory it was not promised).
   * @default '512Mi'
   */
  readonly memory?: string;
}

/** Readiness, liveness and startup probes. */
export interface ProbeOptions {
  /**
   * HTTP GET path of a health endpoint (e.g. `/healthz`) for the readiness and liveness probes.
   * @default - a TCP connect to `port`, which works for any server but only proves it accepts connections
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
   */
  readonly path?: string;
  /**
   * Seconds between readiness probes: how fast a pod that stops answering leaves the Service.
   * @default 5
   */
  readonly readinessPeriodSeconds?: number;
  /**
   * Seconds between liveness probes. Liveness restarts the container, so it is checked less often.
   * @default 10
   */
  readonly livenessPeriodSeconds?: number;
  /**
   * Seconds a probe may take. One process serves probes between requests, so give it some slack.
   * @default 2
   */
  readonly timeoutSeconds?: number;
  /**
   * Consecutive failures before the pod is marked unready (readiness) or restarted (liveness).
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Seconds the server may take to start before liveness applies (a startup probe every 2 s). 0 drops
   * the startup probe.
   * @default 60
   */
  readonly startupSeconds?: number;
}

/** Graceful shutdown. */
export interface ShutdownOptions {
  /**
   * Seconds the container sleeps in `preStop` before receiving SIGTERM, so endpoints and load
   * balancers stop sending it requests first. Needs a `sleep` binary in the image; 0 drops the hook.
   * @default 5
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  readonly drainSeconds?: number;
  /**
   * `terminationGracePeriodSeconds`: the drain plus the time the server needs to finish in-flight
   * requests after SIGTERM. Must exceed `drainSeconds`.
   * @default 30
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   */
  readonly gracePeriodSeconds?: number;
}

/** What to do when pods cannot be spread evenly: a topology spread constraint per domain. */
export type SpreadPolicy = 'DoNotSchedule' | 'ScheduleAnyway' | 'off';

/** Topology spread of the replicas. */
export interface SpreadOptions {
  /**
   * Across nodes (`kubernetes.io/hostname`), so losing a node loses at most its share of replicas.
   * @default 'DoNotSchedule'
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  readonly nodes?: SpreadPolicy;
  /**
   * Across zones (`topology.kubernetes.io/zone`), when the cluster has them; `ScheduleAnyway` so a
   * single-zone cluster still schedules.
   * @default 'ScheduleAnyway'
   */
  readonly zones?: SpreadPolicy;
}

/** Service session affinity (sticky sessions by client IP). */
export interface SessionAffinityOptions {
  /**
   * Seconds a client IP stays pinned to one pod.
   * @default 10800
   * @see https://kubernetes.io/docs/reference/networking/virtual-ips/#session-affinity
   */
  readonly timeoutSeconds?: number;
}

/** An exemption from the one-process rule (annotation `oneproc.dev/allow-multiple-workers`). */
export interface AllowMultipleWorkers {
  /**
   * Why this app must run several worker processes; shown wherever the exemption applies. It must show
   * something: a reason made only of blanks or invisible characters (U+200B, U+FEFF) is refused.
   */
  readonly reason: string;
  /**
   * Last day (`YYYY-MM-DD`) the exemption applies; after it, the guard fails synth again.
   * @default - no end
   */
  readonly until?: string;
}

/** Props of `SingleProcessApp`. */
export interface SingleProcessAppProps {
  /** The container image, e.g. `ghcr.io/acme/shop:1.4.2`. */
  readonly image: string;
  /**
   * The container's command (its ENTRYPOINT), e.g. `['uvicorn', 'main:app', '--host', '0.0.0.0']`.
   * @default - the image's ENTRYPOINT
   */
  readonly command?: string[];
  /**
   * The container's args (its CMD).
   * @default - the image's CMD
   */
  readonly args?: string[];
  /**
   * Literal env vars. `WEB_CONCURRENCY` is set to `"1"` unless given here, so servers that read it
   * (uvicorn, gunicorn, …) cannot fork; a value above 1 is refused.
   * @default - only WEB_CONCURRENCY=1 (and the Redis variables)
   */
  readonly env?: Record<string, string>;
  /**
   * Env vars read from a Secret key (`{ secret, key }`) or a ConfigMap key (`{ configMap, key }`).
   * @default - none
   */
  readonly envValueFrom?: Record<string, SecretKeyRef | ConfigMapKeyRef>;
  /** The port the server listens on. */
  readonly port: number;
  /**
   * The Service's port.
   * @default - `port`
   */
  readonly servicePort?: number;
  /**
   * Name of the Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget (and `<name>-redis`),
   * the `app.kubernetes.io/name` label, and the `app.kubernetes.io/instance` label the Deployment selects
   * its pods by. A Deployment's selector cannot change once applied, so with a name the selector stays
   * the same when the construct is renamed or moved in the tree.
   * @default - names generated from the construct path, and the construct id as the name label; the
   * instance label then comes from the construct path too, as the object names do
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - none: the namespace kubectl applies to
   */
  readonly namespace?: string;
  /**
   * Labels added to every object and to the pods.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Annotations added to every object. Not the exemption annotations (`oneproc.dev/allow-multiple-workers`,
   * `oneproc.dev/allow-until`): those are refused here, set `allowMultipleWorkers` instead.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Annotations added to the pods (e.g. scrape settings); the exemption annotations are refused, as above.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * ServiceAccount the pods run as.
   * @default - the namespace's `default`
   */
  readonly serviceAccountName?: string;
  /**
   * Mount the ServiceAccount token. A web app rarely talks to the Kubernetes API; a token it does not
   * need is a credential an attacker can use.
   * @default false
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * uid the container runs as. Set explicitly because `runAsNonRoot` alone rejects images whose USER
   * is root or a name.
   * @default 10001
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   */
  readonly runAsUser?: number;
  /**
   * gid the container runs as (and the pod's fsGroup).
   * @default 10001
   */
  readonly runAsGroup?: number;
  /**
   * Image pull policy.
   * @default - 'IfNotPresent' for an image pinned by tag or digest, 'Always' for `:latest` or no tag
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Replicas and autoscaling. @default - 2 to 10 replicas at 70% CPU */
  readonly replicas?: ReplicaOptions;
  /** CPU and memory. @default - 250m CPU request, 1 core limit, 512Mi memory */
  readonly resources?: ResourceOptions;
  /** Probes. @default - TCP readiness and liveness, a 60 s startup allowance */
  readonly probes?: ProbeOptions;
  /** Graceful shutdown. @default - 5 s drain, 30 s grace period */
  readonly shutdown?: ShutdownOptions;
  /** Topology spread. @default - across nodes (DoNotSchedule) and zones (ScheduleAnyway) */
  readonly spread?: SpreadOptions;
  /**
   * Sticky sessions by client IP on the Service. A convenience for a gradual migration, not a
   * substitute for shared state: a pod that restarts or scales away still loses its memory, and clients
   * behind one NAT all land on one pod.
   * @default - no affinity
   */
  readonly sessionAffinity?: true | SessionAffinityOptions;
  /**
   * Redis for shared state. `true` or an object: an in-cluster Redis with a NetworkPolicy admitting
   * only this app; `{ url: { secret, key } }`: an external Redis, nothing created. Either way the app
   * gets `REDIS_URL`.
   * @default - no Redis
   */
  readonly redis?: true | RedisOptions | ExternalRedisOptions;
  /**
   * Exempt this app from the one-process rule: the guard reports instead of failing, and the workload
   * carries the exemption annotations that `oneproc check` and the webhook honour.
   * @default - not exempt
   */
  readonly allowMultipleWorkers?: AllowMultipleWorkers;
  /**
   * Legacy: select the pods as oneproc 0.1.0 did, by cdk8s-plus's `cdk8s.io/metadata.addr` label, which
   * is derived from the construct path (the Deployment's, and the Redis workload's). Only for apps
   * already applied with that selector: a Deployment's (and a StatefulSet's) selector is immutable, so
   * the API server rejects an apply that changes it. Renaming or moving the construct changes this
   * selector too. To leave it, delete the Deployment (and the Redis workload) and apply again.
   * @default false
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates
   */
  readonly legacySelector?: boolean;
}

/** The name of the app container. */
export const APP_CONTAINER = 'app';

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
    const p = parseProps(where, props);
    const fail = (prop: string, value: unknown, problem: string) =>
      new SingleProcessAppError(where, prop, value, problem);

    this.port = p.port;
    this.servicePort = p.servicePort ?? p.port;
    this.minReplicas = p.replicas?.min ?? 2;
    this.maxReplicas = p.replicas?.max ?? Math.max(10, this.minReplicas);
    this.targetCpuUtilization = p.replicas?.targetCpuUtilization ?? 70;
    this.targetMemoryUtilization = p.replicas?.targetMemoryUtilization;
    this.scaleDownStabilizationSeconds = p.replicas?.scaleDownStabilizationSeconds ?? 300;
    this.cpuRequest = p.resources?.cpu ?? '250m';
    this.cpuLimit = p.resources?.cpuLimit ?? (cpuMillis(this.cpuRequest) > 1000 ? this.cpuRequest : '1');
    this.memory = p.resources?.memory ?? '512Mi';
    this.drainSeconds = p.shutdown?.drainSeconds ?? 5;
    this.gracePeriodSeconds = p.shutdown?.gracePeriodSeconds ?? Math.max(30, this.drainSeconds + 10);
    this.runAsUser = p.runAsUser ?? 10001;
    this.runAsGroup = p.runAsGroup ?? 10001;
    this.automountServiceAccountToken = p.automountServiceAccountToken ?? false;

    if (this.minReplicas > this.maxReplicas) {
      throw fail(
        'replicas.min',
        this.minReplicas,
        `must be less than or equal to 'replicas.max' (${this.maxReplicas})`,
      );
    }
    if (cpuMillis(this.cpuRequest) > 1000) {
      throw fail(
        'resources.cpu',
        this.cpuRequest,
        'is more than one core, which one server process cannot use (one interpreter, one event loop): ' +
          'request at most "1" and scale out with replicas',
      );
    }
    if (cpuMillis(this.cpuLimit) < cpuMillis(this.cpuRequest)) {
      throw fail(
        'resources.cpuLimit',
        this.cpuLimit,
        `must be at least 'resources.cpu' (${this.cpuRequest})`,
      );
    }
    if (this.drainSeconds >= this.gracePeriodSeconds) {
      throw fail(
        'shutdown.gracePeriodSeconds',
        this.gracePeriodSeconds,
        `must be greater than 'shutdown.drainSeconds' (${this.drainSeconds}), or SIGTERM never reaches the server`,
      );
    }
    const exemption: Exemption | undefined = p.allowMultipleWorkers && {
      reason: p.allowMultipleWorkers.reason,
      ...(p.allowMultipleWorkers.until !== undefined && { until: p.allowMultipleWorkers.until }),
    };
    checkWebConcurrency(p, exemption, fail);

    const appName = p.name ?? id;
    const legacy = p.legacySelector === true;
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

    // Redis first: its Service name goes into REDIS_URL, and REDIS_URL goes through the guard.
    let redisEnv: EnvVar[] = [];
    if (p.redis !== undefined) {
      if (p.redis !== true && p.redis.url !== undefined) {
        redisEnv = [secretEnv('REDIS_URL', p.redis.url)];
      } else {
        this.redis = new Redis(this, 'Redis', {
          ...(p.redis === true ? {} : p.redis),
          name: p.name !== undefined ? `${p.name}-redis` : undefined,
          legacySelector: legacy,
          namespace: p.namespace,
          labels: commonLabels,
          clientLabels: { 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': 'server' },
        });
        redisEnv = this.redis.clientEnv();
      }
    }
    this.env = buildEnv(p, redisEnv, fail);

    const command = p.command;
    const args = p.args;
    const guard = guardContainer({
      container: { name: APP_CONTAINER, image: p.image, command, args, env: this.env },
      name: p.name ?? id,
      namespace: p.namespace,
      annotations: exemptionAnnotations,
      exemptionProp: 'allowMultipleWorkers',
    });
    if (guard.errors.length > 0) throw new MultipleWorkersError(where, guard.errors);
    const warnings: Finding[] = [...guard.warnings];
    if (cpuMillis(this.cpuLimit) > 1000) {
      warnings.push(
        resourceWarning(
          `resources.cpuLimit (${this.cpuLimit}) is more than one core, which one server process cannot use; ` +
            'keep it at "1" and scale out with replicas.',
        ),
      );
    }
    if (this.minReplicas < 2) {
      warnings.push(
        resourceWarning(
          `replicas.min (${this.minReplicas}) leaves one pod: every rollout, eviction or crash is an outage. ` +
            'Use at least 2.',
        ),
      );
    }
    this.warnings = warnings;
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

    const tmp = Volume.fromEmptyDir(this, 'Tmp', 'tmp');
    const containerProps: ContainerProps = {
      name: APP_CONTAINER,
      image: p.image,
      command,
      args,
      imagePullPolicy: (p.imagePullPolicy ?? defaultPullPolicy(p.image)) as ImagePullPolicy,
      ports: [{ number: this.port, name: 'http' }],
      envVariables: Object.fromEntries(
        this.env.map((e) => [
          e.name,
          e.valueFrom ? envFromSource(e.valueFrom) : EnvValue.fromValue(e.value ?? ''),
        ]),
      ),
      resources: {
        cpu: { request: cpuOf(this.cpuRequest), limit: cpuOf(this.cpuLimit) },
        memory: { request: sizeOf(this.memory), limit: sizeOf(this.memory) },
      },
      securityContext: {
        ensureNonRoot: true,
        user: this.runAsUser,
        group: this.runAsGroup,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL' as Capability] },
      },
      volumeMounts: [{ path: '/tmp', volume: tmp }],
      ...probes(p, this.port),
      ...(this.drainSeconds > 0 && {
        lifecycle: { preStop: Handler.fromCommand(['sleep', String(this.drainSeconds)]) },
      }),
    };

    // The selector: this app's server pods by their instance label; never the construct path (unless legacy).
    const selectorLabels = {
      'app.kubernetes.io/instance': instance,
      'app.kubernetes.io/component': 'server',
    };
    this.deployment = new Deployment(this, 'Deployment', {
      select: legacy,
      metadata: { ...metadata(), annotations: { ...p.annotations, ...exemptionAnnotations } },
      podMetadata: { labels: podLabels, annotations: { ...p.podAnnotations, ...exemptionAnnotations } },
      containers: [containerProps],
      securityContext: {
        ensureNonRoot: true,
        user: this.runAsUser,
        group: this.runAsGroup,
        fsGroup: this.runAsGroup,
      },
      automountServiceAccountToken: this.automountServiceAccountToken,
      ...(p.serviceAccountName !== undefined && {
        serviceAccount: ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', p.serviceAccountName),
      }),
      terminationGracePeriod: Duration.seconds(this.gracePeriodSeconds),
    });
    if (!legacy) this.deployment.select(LabelSelector.of({ labels: selectorLabels }));
    const deploymentObject = ApiObject.of(this.deployment);
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
    const spread = spreadConstraints(p, this.deployment.matchLabels);
    if (spread.length > 0) {
      deploymentObject.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', spread));
    }

    this.service = new Service(this, 'Service', {
      metadata: metadata(),
      ...(legacy && { selector: this.deployment }),
      ports: [{ name: 'http', port: this.servicePort, targetPort: this.port }],
    });
    if (!legacy)
      for (const [key, value] of Object.entries(selectorLabels)) this.service.selectLabel(key, value);
    if (p.sessionAffinity !== undefined) {
      const timeoutSeconds = p.sessionAffinity === true ? 10800 : (p.sessionAffinity.timeoutSeconds ?? 10800);
      ApiObject.of(this.service).addJsonPatch(
        JsonPatch.add('/spec/sessionAffinity', 'ClientIP'),
        // The generated KubeService maps its spec through jsii names after patching: `clientIp` is
        // written out as Kubernetes' `clientIP`.
        JsonPatch.add('/spec/sessionAffinityConfig', { clientIp: { timeoutSeconds } }),
      );
    }

    const metrics = [Metric.resourceCpu(MetricTarget.averageUtilization(this.targetCpuUtilization))];
    if (this.targetMemoryUtilization !== undefined) {
      metrics.push(Metric.resourceMemory(MetricTarget.averageUtilization(this.targetMemoryUtilization)));
    }
    this.autoscaler = new HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: metadata(),
      target: this.deployment,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      metrics,
      scaleDown: {
        stabilizationWindow: Duration.seconds(this.scaleDownStabilizationSeconds),
        // Remove at most half of the pods per minute: a drop in load rarely means all of it is gone.
        policies: [{ replicas: Replicas.percent(50), duration: Duration.minutes(1) }],
      },
    });

    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: metadata(),
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

function checkWebConcurrency(
  p: ParsedProps,
  exemption: Exemption | undefined,
  fail: (prop: string, value: unknown, problem: string) => SingleProcessAppError,
): void {
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
function buildEnv(
  p: ParsedProps,
  redisEnv: EnvVar[],
  fail: (prop: string, value: unknown, problem: string) => SingleProcessAppError,
): EnvVar[] {
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
  const timeoutSeconds = Duration.seconds(p.probes?.timeoutSeconds ?? 2);
  const failureThreshold = p.probes?.failureThreshold ?? 3;
  const make = (periodSeconds: number, threshold: number) => {
    const options = {
      port,
      periodSeconds: Duration.seconds(periodSeconds),
      timeoutSeconds,
      failureThreshold: threshold,
    };
    return path !== undefined ? Probe.fromHttpGet(path, options) : Probe.fromTcpSocket(options);
  };
  const startupSeconds = p.probes?.startupSeconds ?? 60;
  return {
    readiness: make(p.probes?.readinessPeriodSeconds ?? 5, failureThreshold),
    liveness: make(p.probes?.livenessPeriodSeconds ?? 10, failureThreshold),
    ...(startupSeconds > 0 && { startup: make(2, Math.max(1, Math.ceil(startupSeconds / 2))) }),
  };
}

function spreadConstraints(
  p: ParsedProps,
  matchLabels: Record<string, string>,
): k8s.TopologySpreadConstraint[] {
  const domains: Array<[string, SpreadPolicy]> = [
    ['kubernetes.io/hostname', p.spread?.nodes ?? 'DoNotSchedule'],
    ['topology.kubernetes.io/zone', p.spread?.zones ?? 'ScheduleAnyway'],
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
