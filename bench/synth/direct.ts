/**
 * The baseline: the objects one SingleProcessApp synthesizes (default props, no Redis), written
 * directly with cdk8s-plus-27 — no prop validation, no engine. run.ts checks that both produce the
 * same manifests before timing them.
 */
import { ApiObject, Duration, JsonPatch, Names, Size } from 'cdk8s';
import {
  type Capability,
  Cpu,
  Deployment,
  EnvValue,
  Handler,
  HorizontalPodAutoscaler,
  ImagePullPolicy,
  k8s,
  Metric,
  MetricTarget,
  Probe,
  Replicas,
  Service,
  Volume,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';

export interface DirectAppProps {
  readonly image: string;
  readonly command: string[];
  readonly port: number;
}

export class DirectApp extends Construct {
  constructor(scope: Construct, id: string, props: DirectAppProps) {
    super(scope, id);
    const common = { 'app.kubernetes.io/name': id };
    const probe = (periodSeconds: number, failureThreshold: number) =>
      Probe.fromTcpSocket({
        port: props.port,
        periodSeconds: Duration.seconds(periodSeconds),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold,
      });
    const deployment = new Deployment(this, 'Deployment', {
      metadata: { labels: { ...common }, annotations: {} },
      podMetadata: {
        labels: {
          ...common,
          'app.kubernetes.io/component': 'server',
          'app.kubernetes.io/instance': Names.toLabelValue(this),
        },
        annotations: {},
      },
      containers: [
        {
          name: 'app',
          image: props.image,
          command: props.command,
          imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ number: props.port, name: 'http' }],
          envVariables: { WEB_CONCURRENCY: EnvValue.fromValue('1') },
          resources: {
            cpu: { request: Cpu.millis(250), limit: Cpu.units(1) },
            memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
          },
          securityContext: {
            ensureNonRoot: true,
            user: 10001,
            group: 10001,
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL' as Capability] },
          },
          volumeMounts: [{ path: '/tmp', volume: Volume.fromEmptyDir(this, 'Tmp', 'tmp') }],
          readiness: probe(5, 3),
          liveness: probe(10, 3),
          startup: probe(2, 30),
          lifecycle: { preStop: Handler.fromCommand(['sleep', '5']) },
        },
      ],
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(30),
    });
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      topologyKey,
      maxSkew: 1,
      whenUnsatisfiable,
      labelSelector: { matchLabels: deployment.matchLabels },
      matchLabelKeys: ['pod-template-hash'],
      nodeTaintsPolicy: 'Honor',
    });
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', {
        type: 'RuntimeDefault',
      }),
      JsonPatch.add('/spec/template/spec/enableServiceLinks', false),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        spread('kubernetes.io/hostname', 'DoNotSchedule'),
        spread('topology.kubernetes.io/zone', 'ScheduleAnyway'),
      ]),
    );
    new Service(this, 'Service', {
      metadata: { labels: { ...common }, annotations: {} },
      selector: deployment,
      ports: [{ name: 'http', port: props.port, targetPort: props.port }],
    });
    new HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: { labels: { ...common }, annotations: {} },
      target: deployment,
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [Metric.resourceCpu(MetricTarget.averageUtilization(70))],
      scaleDown: {
        stabilizationWindow: Duration.seconds(300),
        policies: [{ replicas: Replicas.percent(50), duration: Duration.minutes(1) }],
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { labels: { ...common }, annotations: {} },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
        selector: { matchLabels: deployment.matchLabels },
      },
    });
  }
}
