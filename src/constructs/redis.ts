/**
 * An in-cluster Redis for the state a single-process app must not keep in memory (sessions, caches,
 * rate-limit counters): one Redis pod, its Service, and a NetworkPolicy that admits only the app.
 * Built from the low-level `k8s.*` classes cdk8s-plus-27 re-exports, because a Redis needs exact
 * control of its pod (claim templates, a fixed uid) that the high-level workload classes do not offer.
 */
import { Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { cpuMillis, memoryMebibytes } from './quantities';

/** A key of a Secret in the app's namespace. */
export interface SecretKeyRef {
  /** Name of the Secret. */
  readonly secret: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** A key of a ConfigMap in the app's namespace. */
export interface ConfigMapKeyRef {
  /** Name of the ConfigMap. */
  readonly configMap: string;
  /** Key inside the ConfigMap. */
  readonly key: string;
}

/** Persistence of the in-cluster Redis: a StatefulSet with a PersistentVolumeClaim and an append-only file. */
export interface RedisPersistenceOptions {
  /**
   * Size of the volume.
   * @default '1Gi'
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
   */
  readonly size?: string;
  /**
   * StorageClass of the claim.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** An in-cluster Redis, created next to the app (`redis: true` or `redis: { … }`). */
export interface RedisOptions {
  /**
   * The Redis image. The official image's `redis` user is uid 999, which the pod runs as.
   * @default 'redis:7.2'
   */
  readonly image?: string;
  /**
   * The password, from a Secret you create first, e.g.
   * `kubectl create secret generic redis-auth --from-literal=password="$(openssl rand -hex 32)"`.
   * It reaches Redis (`--requirepass $(REDIS_PASSWORD)`) and the app's `REDIS_URL`
   * (`redis://:$(REDIS_PASSWORD)@…`) through env references expanded by the kubelet, so no secret value
   * is ever written into the manifests. Use URL-safe characters (hex): the kubelet does not
   * percent-encode it into the URL.
   * @default - no password: the NetworkPolicy alone decides who may connect
   */
  readonly password?: SecretKeyRef;
  /**
   * Keep the data across restarts: a StatefulSet with a PersistentVolumeClaim and `appendonly yes`.
   * `true` takes the defaults of RedisPersistenceOptions.
   * @default - no persistence: a Deployment with an emptyDir; a restart empties Redis
   */
  readonly persistence?: true | RedisPersistenceOptions;
  /**
   * CPU request of the Redis container (the limit is one core: Redis executes commands on one thread).
   * @default '100m'
   */
  readonly cpu?: string;
  /**
   * Memory request and limit of the Redis container; `maxmemory` is set to 80% of it so Redis answers
   * "OOM command not allowed" instead of being killed.
   * @default '256Mi'
   */
  readonly memory?: string;
  /**
   * Database number in `REDIS_URL`.
   * @default 0
   */
  readonly database?: number;
}

/** An external or managed Redis: the app's `REDIS_URL` comes from a Secret and nothing is created. */
export interface ExternalRedisOptions {
  /** The Secret key holding the full URL, e.g. `rediss://:password@my-redis.example.com:6380/0`. */
  readonly url: SecretKeyRef;
}

/** Props of the in-cluster `Redis` construct. */
export interface RedisProps extends RedisOptions {
  /**
   * Labels of the app's pods: the only pods the NetworkPolicy admits.
   */
  readonly clientLabels: Readonly<Record<string, string>>;
  /**
   * Name of the Redis objects, and the `app.kubernetes.io/instance` label its workload selects its pod by.
   * @default - generated from the construct path
   */
  readonly name?: string;
  /**
   * Legacy: take the instance label from the construct path even when `name` is given (oneproc 0.1.0's
   * selector, which a renamed construct changes). See `SingleProcessAppProps.legacySelector`.
   * @default false
   */
  readonly legacySelector?: boolean;
  /**
   * Namespace of the Redis objects (the app's).
   * @default - none: the namespace kubectl applies to
   */
  readonly namespace?: string;
  /**
   * Labels added to every object (and the pod).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One env var of a container in Kubernetes' own shape. */
export type EnvVar = k8s.EnvVar;

/** The Redis port; fixed so the NetworkPolicy and `REDIS_URL` cannot disagree. */
export const REDIS_PORT = 6379;

/** The uid and gid of the `redis` user in the official image (Debian and Alpine variants). */
export const REDIS_UID = 999;

/**
 * One Redis pod (Deployment, or StatefulSet with a PVC when persistence is asked for), a ClusterIP
 * Service and a NetworkPolicy admitting only `clientLabels` pods on port 6379.
 */
export class Redis extends Construct {
  /** Name of the Service the app connects to (a DNS name in the namespace). */
  readonly serviceName: string;
  readonly image: string;
  readonly persistent: boolean;
  readonly password?: SecretKeyRef;
  readonly cpu: string;
  readonly memory: string;
  readonly database: number;
  /** `kind` of the Redis workload: `Deployment`, or `StatefulSet` with persistence. */
  readonly workloadKind: 'Deployment' | 'StatefulSet';

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    this.image = props.image ?? 'redis:7.2';
    this.persistent = props.persistence !== undefined;
    this.password = props.password;
    this.cpu = props.cpu ?? '100m';
    this.memory = props.memory ?? '256Mi';
    this.database = props.database ?? 0;
    this.workloadKind = this.persistent ? 'StatefulSet' : 'Deployment';
    const persistence: RedisPersistenceOptions = props.persistence === true ? {} : (props.persistence ?? {});

    const name = props.name ?? Names.toDnsLabel(this);
    this.serviceName = name;
    const selector = {
      'app.kubernetes.io/component': 'redis',
      'app.kubernetes.io/instance':
        props.name !== undefined && props.legacySelector !== true ? props.name : Names.toLabelValue(this),
    };
    const labels = { ...props.labels, ...selector };
    const metadata = { name, namespace: props.namespace, labels };

    const maxmemory = Math.floor(memoryMebibytes(this.memory) * 0.8);
    const args = ['--port', String(REDIS_PORT), '--protected-mode', 'no', '--maxmemory', `${maxmemory}mb`];
    args.push(
      ...(this.persistent ? ['--appendonly', 'yes', '--save', ''] : ['--appendonly', 'no', '--save', '']),
    );
    args.push('--dir', '/data');
    const env: EnvVar[] = [];
    if (this.password) {
      env.push(secretEnv('REDIS_PASSWORD', this.password));
      // The kubelet expands $(REDIS_PASSWORD) in args from the env above: the value stays in the Secret.
      args.push('--requirepass', '$(REDIS_PASSWORD)');
    }

    const container: k8s.Container = {
      name: 'redis',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['redis-server'],
      args,
      env: env.length > 0 ? env : undefined,
      ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
      resources: {
        requests: { cpu: k8s.Quantity.fromString(this.cpu), memory: k8s.Quantity.fromString(this.memory) },
        limits: {
          cpu: k8s.Quantity.fromString(cpuMillis(this.cpu) > 1000 ? this.cpu : '1'),
          memory: k8s.Quantity.fromString(this.memory),
        },
      },
      readinessProbe: {
        tcpSocket: { port: k8s.IntOrString.fromString('redis') },
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: 3,
      },
      livenessProbe: {
        tcpSocket: { port: k8s.IntOrString.fromString('redis') },
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 2,
        failureThreshold: 6,
      },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: REDIS_UID,
        runAsGroup: REDIS_UID,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    };
    const podSpec: k8s.PodSpec = {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: REDIS_UID,
        runAsGroup: REDIS_UID,
        fsGroup: REDIS_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [container],
      volumes: this.persistent ? undefined : [{ name: 'data', emptyDir: {} }],
      terminationGracePeriodSeconds: 30,
    };
    const template = { metadata: { labels }, spec: podSpec };

    const service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          {
            name: 'redis',
            port: REDIS_PORT,
            targetPort: k8s.IntOrString.fromString('redis'),
            protocol: 'TCP',
          },
        ],
      },
    });

    if (this.persistent) {
      new k8s.KubeStatefulSet(this, 'StatefulSet', {
        metadata,
        spec: {
          replicas: 1,
          serviceName: service.name,
          selector: { matchLabels: selector },
          template,
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: persistence.storageClassName,
                resources: { requests: { storage: k8s.Quantity.fromString(persistence.size ?? '1Gi') } },
              },
            },
          ],
        },
      });
    } else {
      new k8s.KubeDeployment(this, 'Deployment', {
        metadata,
        spec: {
          replicas: 1,
          // Never two Redis pods at once: clients would split between two empty stores.
          strategy: { type: 'Recreate' },
          selector: { matchLabels: selector },
          template,
        },
      });
    }

    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { ...props.clientLabels } } }],
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(REDIS_PORT) }],
          },
        ],
      },
    });
  }

  /**
   * The app's env for this Redis: `REDIS_PASSWORD` (from the Secret) first, then `REDIS_URL` referring
   * to it as `$(REDIS_PASSWORD)` — the kubelet expands a reference only to a variable defined earlier in
   * the list — plus `REDIS_HOST` and `REDIS_PORT` for clients configured by parts.
   */
  clientEnv(): EnvVar[] {
    const env: EnvVar[] = [];
    const auth = this.password ? ':$(REDIS_PASSWORD)@' : '';
    if (this.password) env.push(secretEnv('REDIS_PASSWORD', this.password));
    env.push({ name: 'REDIS_HOST', value: this.serviceName });
    env.push({ name: 'REDIS_PORT', value: String(REDIS_PORT) });
    env.push({
      name: 'REDIS_URL',
      value: `redis://${auth}${this.serviceName}:${REDIS_PORT}/${this.database}`,
    });
    return env;
  }
}

/** An env var read from a Secret key. */
export function secretEnv(name: string, ref: SecretKeyRef): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } };
}
