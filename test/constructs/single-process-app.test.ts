import { synthApp, UVICORN } from './helpers';

const base = { image: 'ghcr.io/acme/shop:1.4.2', command: UVICORN, port: 8596 };

describe('SingleProcessApp defaults', () => {
  const { app, objects, one } = synthApp(base);
  const deployment = one('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('synthesizes a Deployment, Service, HPA and PodDisruptionBudget, nothing else', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'apps/v1 Deployment',
      'v1 Service',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'policy/v1 PodDisruptionBudget',
    ]);
  });

  test('the Deployment leaves replicas to the autoscaler', () => {
    expect(deployment.spec).not.toHaveProperty('replicas');
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
  });

  test('one container running the command as given, with WEB_CONCURRENCY=1', () => {
    expect(pod.containers).toHaveLength(1);
    expect(container.name).toBe('app');
    expect(container.image).toBe('ghcr.io/acme/shop:1.4.2');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.command).toEqual(UVICORN);
    expect(container).not.toHaveProperty('args');
    expect(container.env).toEqual([{ name: 'WEB_CONCURRENCY', value: '1' }]);
    expect(container.ports).toEqual([{ containerPort: 8596, name: 'http' }]);
  });

  test('resources fit one process: 250m request, 1 core limit, memory request = limit', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(app.cpuRequest).toBe('250m');
    expect(app.cpuLimit).toBe('1');
    expect(app.memory).toBe('512Mi');
  });

  test('readiness, liveness and startup probes on the port (TCP)', () => {
    expect(container.readinessProbe).toEqual({
      tcpSocket: { port: 8596 },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(container.livenessProbe).toEqual({
      tcpSocket: { port: 8596 },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(container.startupProbe).toEqual({
      tcpSocket: { port: 8596 },
      periodSeconds: 2,
      timeoutSeconds: 2,
      failureThreshold: 30,
    });
  });

  test('graceful shutdown: preStop sleep 5 within a 30 s grace period', () => {
    expect(container.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  test('hardened container security context (ours, not cdk8s-plus defaults)', () => {
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      fsGroupChangePolicy: 'Always',
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('a writable /tmp on an emptyDir under the read-only root', () => {
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
  });

  test('no ServiceAccount token, no service links', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod).not.toHaveProperty('serviceAccountName');
    expect(pod.enableServiceLinks).toBe(false);
  });

  test('spread across nodes (DoNotSchedule) and zones (ScheduleAnyway)', () => {
    const selector = { matchLabels: deployment.spec.selector.matchLabels };
    expect(pod.topologySpreadConstraints).toEqual([
      {
        topologyKey: 'kubernetes.io/hostname',
        maxSkew: 1,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: selector,
        matchLabelKeys: ['pod-template-hash'],
        nodeTaintsPolicy: 'Honor',
      },
      {
        topologyKey: 'topology.kubernetes.io/zone',
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: selector,
        matchLabelKeys: ['pod-template-hash'],
        nodeTaintsPolicy: 'Honor',
      },
    ]);
  });

  test('labels: name, component, instance on the pods; the selector matches them', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(labels['app.kubernetes.io/name']).toBe('web');
    expect(labels['app.kubernetes.io/component']).toBe('server');
    expect(labels['app.kubernetes.io/instance']).toMatch(/^test-web-/);
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    expect(deployment.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'web' });
  });

  test('Service: ClusterIP on the app port, selecting the pods', () => {
    const service = one('Service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8596, targetPort: 8596 }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec).not.toHaveProperty('sessionAffinity');
  });

  test('HPA autoscaling/v2: 2 to 10 on 70% CPU, 300 s scale-down stabilisation', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
    expect(hpa.spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
    });
  });

  test('PodDisruptionBudget: one pod at a time, unhealthy pods evictable', () => {
    const pdb = one('PodDisruptionBudget');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: deployment.spec.selector.matchLabels },
    });
  });

  test('no warnings for a plain single-process command', () => {
    expect(app.warnings).toEqual([]);
  });
});

describe('SingleProcessApp options', () => {
  test('name, namespace, labels and annotations reach every object', () => {
    const { objects, one } = synthApp({
      ...base,
      name: 'shop',
      namespace: 'prod',
      labels: { team: 'payments' },
      annotations: { 'example.com/owner': 'payments@example.com' },
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      redis: true,
    });
    for (const obj of objects) {
      expect(obj.metadata.namespace).toBe('prod');
      expect(obj.metadata.labels.team).toBe('payments');
      expect(obj.metadata.labels['app.kubernetes.io/name']).toBe('shop');
    }
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(one(kind).metadata.name).toBe('shop');
      expect(one(kind).metadata.annotations).toEqual({ 'example.com/owner': 'payments@example.com' });
    }
    for (const kind of ['Deployment', 'Service', 'NetworkPolicy'])
      expect(one(kind, 'redis').metadata.name).toBe('shop-redis');
    const template = one('Deployment').spec.template.metadata;
    expect(template.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(template.labels.team).toBe('payments');
    expect(one('HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe('shop');
  });

  test('replicas, CPU target, memory metric and stabilisation are passed to the HPA', () => {
    const { one } = synthApp({
      ...base,
      replicas: {
        min: 3,
        max: 30,
        targetCpuUtilization: 60,
        targetMemoryUtilization: 80,
        scaleDownStabilizationSeconds: 600,
      },
    });
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(30);
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(one('Deployment').spec).not.toHaveProperty('replicas');
  });

  test('a min above the default max raises the max with it', () => {
    const { one } = synthApp({ ...base, replicas: { min: 12 } });
    expect(one('HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 12, maxReplicas: 12 });
  });

  test('resources: CPU in cores or millicores, memory in Mi or Gi', () => {
    const { one } = synthApp({ ...base, resources: { cpu: '0.5', memory: '1Gi' } });
    expect(one('Deployment').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '1024Mi' },
      limits: { cpu: '1', memory: '1024Mi' },
    });
  });

  test('HTTP probes on a health path', () => {
    const { one } = synthApp({
      ...base,
      probes: {
        path: '/healthz',
        readinessPeriodSeconds: 3,
        failureThreshold: 2,
        timeoutSeconds: 1,
        startupSeconds: 0,
      },
    });
    const c = one('Deployment').spec.template.spec.containers[0];
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8596, scheme: 'HTTP' },
      periodSeconds: 3,
      timeoutSeconds: 1,
      failureThreshold: 2,
    });
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8596, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 2,
    });
    expect(c).not.toHaveProperty('startupProbe');
  });

  test('shutdown: a longer drain and grace period; drainSeconds 0 drops the hook', () => {
    let spec = synthApp({ ...base, shutdown: { drainSeconds: 15, gracePeriodSeconds: 60 } }).one('Deployment')
      .spec.template.spec;
    expect(spec.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '15']);
    expect(spec.terminationGracePeriodSeconds).toBe(60);
    spec = synthApp({ ...base, shutdown: { drainSeconds: 0 } }).one('Deployment').spec.template.spec;
    expect(spec.containers[0]).not.toHaveProperty('lifecycle');
    expect(spec.terminationGracePeriodSeconds).toBe(30);
  });

  test('a drain longer than the default grace period lengthens the grace period', () => {
    const spec = synthApp({ ...base, shutdown: { drainSeconds: 40 } }).one('Deployment').spec.template.spec;
    expect(spec.terminationGracePeriodSeconds).toBe(50);
  });

  test('spread: zones off, nodes ScheduleAnyway', () => {
    const spec = synthApp({ ...base, spread: { nodes: 'ScheduleAnyway', zones: 'off' } }).one('Deployment')
      .spec.template.spec;
    expect(spec.topologySpreadConstraints).toHaveLength(1);
    expect(spec.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
    });
    const none = synthApp({ ...base, spread: { nodes: 'off', zones: 'off' } }).one('Deployment').spec.template
      .spec;
    expect(none).not.toHaveProperty('topologySpreadConstraints');
  });

  test('sessionAffinity: ClientIP with the default or given timeout', () => {
    expect(synthApp({ ...base, sessionAffinity: true }).one('Service').spec).toMatchObject({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    });
    expect(synthApp({ ...base, sessionAffinity: { timeoutSeconds: 600 } }).one('Service').spec).toMatchObject(
      {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      },
    );
  });

  test('servicePort differs from the container port', () => {
    expect(synthApp({ ...base, servicePort: 80 }).one('Service').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8596 },
    ]);
  });

  test('service account, token mount, uid and pull policy', () => {
    const spec = synthApp({
      ...base,
      image: 'shop:latest',
      serviceAccountName: 'shop-reader',
      automountServiceAccountToken: true,
      runAsUser: 1000,
      runAsGroup: 3000,
    }).one('Deployment').spec.template.spec;
    expect(spec.serviceAccountName).toBe('shop-reader');
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 3000, fsGroup: 3000 });
    expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 3000 });
    expect(spec.containers[0].imagePullPolicy).toBe('Always');
    const pinned = synthApp({ ...base, image: 'registry:5000/shop@sha256:abc' }).one('Deployment');
    expect(pinned.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    const untagged = synthApp({ ...base, image: 'registry:5000/shop' }).one('Deployment');
    expect(untagged.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  test('env: literal values in order after WEB_CONCURRENCY, then Secret and ConfigMap references', () => {
    const c = synthApp({
      ...base,
      env: { LOG_LEVEL: 'info', DATABASE_HOST: 'db' },
      envValueFrom: {
        DATABASE_PASSWORD: { secret: 'db-auth', key: 'password' },
        FEATURE_FLAGS: { configMap: 'flags', key: 'all' },
      },
    }).one('Deployment').spec.template.spec.containers[0];
    expect(c.env).toEqual([
      { name: 'WEB_CONCURRENCY', value: '1' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DATABASE_HOST', value: 'db' },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-auth', key: 'password' } } },
      { name: 'FEATURE_FLAGS', valueFrom: { configMapKeyRef: { name: 'flags', key: 'all' } } },
    ]);
  });

  test('WEB_CONCURRENCY=1 given by the user is kept once', () => {
    const c = synthApp({ ...base, env: { WEB_CONCURRENCY: '1' } }).one('Deployment').spec.template.spec
      .containers[0];
    expect(c.env).toEqual([{ name: 'WEB_CONCURRENCY', value: '1' }]);
  });

  test('args without command are kept as args (the image ENTRYPOINT runs them)', () => {
    const c = synthApp({ image: 'shop:1', args: UVICORN, port: 8596 }).one('Deployment').spec.template.spec
      .containers[0];
    expect(c.args).toEqual(UVICORN);
    expect(c).not.toHaveProperty('command');
  });
});
