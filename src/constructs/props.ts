/**
 * The props of `SingleProcessApp`, with their documentation and their defaults: the one description of
 * what a user may write. These interfaces are the source (readonly fields, a doc comment with `@default`
 * on each, as cdk8s-plus writes props), because the declaration files keep their doc comments as they
 * are and editors show them on hover. The zod schema that validates props at run time
 * (src/constructs/schema.ts) is checked against them when the project compiles, so the two cannot
 * drift apart: see `PropsSchemaMatches` there. The defaults are the values of `DEFAULTS` below, used by
 * the construct and nowhere else; test/constructs/props.test.ts holds every literal `@default` of the
 * doc comments to them.
 */
import type { ConfigMapKeyRef, ExternalRedisOptions, RedisOptions, SecretKeyRef } from './redis';

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
   * @default - 10, or `min` when that is more
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
   * @default - 30, or `drainSeconds` + 10 when that is more
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

/**
 * The default of every optional prop that has one, the one place they are written. Some are a floor a
 * given prop can raise: `replicas.max` is at least `replicas.min`, and `shutdown.gracePeriodSeconds`
 * leaves 10 s after the drain (`resolveDefaults` in single-process-app.ts).
 */
export const DEFAULTS = {
  replicas: { min: 2, max: 10, targetCpuUtilization: 70, scaleDownStabilizationSeconds: 300 },
  resources: { cpu: '250m', cpuLimit: '1', memory: '512Mi' },
  probes: {
    readinessPeriodSeconds: 5,
    livenessPeriodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
    startupSeconds: 60,
  },
  shutdown: { drainSeconds: 5, gracePeriodSeconds: 30 },
  spread: { nodes: 'DoNotSchedule', zones: 'ScheduleAnyway' },
  sessionAffinity: { timeoutSeconds: 10800 },
  automountServiceAccountToken: false,
  runAsUser: 10001,
  runAsGroup: 10001,
  legacySelector: false,
} as const satisfies {
  readonly replicas: Required<Omit<ReplicaOptions, 'targetMemoryUtilization'>>;
  readonly resources: Required<ResourceOptions>;
  readonly probes: Required<Omit<ProbeOptions, 'path'>>;
  readonly shutdown: Required<ShutdownOptions>;
  readonly spread: Required<SpreadOptions>;
  readonly sessionAffinity: Required<SessionAffinityOptions>;
  readonly automountServiceAccountToken: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly legacySelector: boolean;
};
