import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import Redis from 'ioredis';
import { REDIS_UID } from '../../src/constructs';
import { synthApp, UVICORN } from './helpers';
import { expandReferences, resolveArgv, resolveEnv } from './kubelet';

const base = { image: 'shop:1', command: UVICORN, port: 8596 };
const PASSWORD_REF = { secret: 'redis-auth', key: 'password' };

describe('redis: true — an in-cluster Redis', () => {
  const { objects, one } = synthApp({ ...base, redis: true });
  const redisDeployment = one('Deployment', 'redis');
  const redisService = one('Service', 'redis');
  const policy = one('NetworkPolicy', 'redis');
  const app = one('Deployment');

  test('adds a Redis Deployment, Service and NetworkPolicy', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'Deployment',
      'Deployment',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'Service',
    ]);
  });

  test('one Redis pod, replaced not surged, running redis-server without persistence', () => {
    expect(redisDeployment.spec.replicas).toBe(1);
    expect(redisDeployment.spec.strategy).toEqual({ type: 'Recreate' });
    const c = redisDeployment.spec.template.spec.containers[0];
    expect(c.image).toBe('redis:7.2');
    expect(c.command).toEqual(['redis-server']);
    expect(c.args).toEqual([
      '--port',
      '6379',
      '--protected-mode',
      'no',
      '--maxmemory',
      '204mb',
      '--appendonly',
      'no',
      '--save',
      '',
      '--dir',
      '/data',
    ]);
    expect(c).not.toHaveProperty('env');
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'redis' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'redis' });
    expect(redisDeployment.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
  });

  test('runs as the official image redis user (999), hardened', () => {
    const pod = redisDeployment.spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: REDIS_UID,
      runAsGroup: REDIS_UID,
      fsGroup: REDIS_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('the Service selects the Redis pod on 6379', () => {
    expect(redisService.spec.ports).toEqual([
      { name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' },
    ]);
    expect(redisService.spec.selector).toEqual(redisDeployment.spec.selector.matchLabels);
    for (const [k, v] of Object.entries(redisService.spec.selector)) {
      expect(redisDeployment.spec.template.metadata.labels[k]).toBe(v);
    }
  });

  test('the NetworkPolicy admits only the app pods, only on 6379', () => {
    expect(policy.spec.podSelector).toEqual({ matchLabels: redisDeployment.spec.selector.matchLabels });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    const from = policy.spec.ingress[0].from;
    expect(from).toHaveLength(1);
    const appLabels = app.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(from[0].podSelector.matchLabels)) expect(appLabels[k]).toBe(v);
    // The selector names this app's pods only: its instance label, not just the app name.
    expect(from[0].podSelector.matchLabels['app.kubernetes.io/instance']).toBe(
      appLabels['app.kubernetes.io/instance'],
    );
    expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
    // Redis pods are not selected by the app's own selector.
    const redisLabels = redisDeployment.spec.template.metadata.labels;
    expect(Object.entries(from[0].podSelector.matchLabels).every(([k, v]) => redisLabels[k] === v)).toBe(
      false,
    );
  });

  test('the app gets REDIS_URL, REDIS_HOST and REDIS_PORT for the Service, before WEB_CONCURRENCY', () => {
    const host = redisService.metadata.name;
    expect(app.spec.template.spec.containers[0].env).toEqual([
      { name: 'REDIS_HOST', value: host },
      { name: 'REDIS_PORT', value: '6379' },
      { name: 'REDIS_URL', value: `redis://${host}:6379/0` },
      { name: 'WEB_CONCURRENCY', value: '1' },
    ]);
  });
});

describe('redis persistence', () => {
  test('a StatefulSet with a claim template and append-only file', () => {
    const { one, objects } = synthApp({
      ...base,
      redis: {
        persistence: { size: '5Gi', storageClassName: 'fast' },
        memory: '1Gi',
        cpu: '200m',
        database: 2,
      },
    });
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(1);
    const sts = one('StatefulSet', 'redis');
    const service = one('Service', 'redis');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe(service.metadata.name);
    expect(sts.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data', labels: sts.metadata.labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'fast',
          resources: { requests: { storage: '5Gi' } },
        },
      },
    ]);
    const pod = sts.spec.template.spec;
    expect(pod).not.toHaveProperty('volumes');
    expect(pod.securityContext.fsGroup).toBe(999);
    const c = pod.containers[0];
    expect(c.args).toEqual([
      '--port',
      '6379',
      '--protected-mode',
      'no',
      '--maxmemory',
      '819mb',
      '--appendonly',
      'yes',
      '--save',
      '',
      '--dir',
      '/data',
    ]);
    expect(c.resources).toEqual({
      requests: { cpu: '200m', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    expect(one('Deployment').spec.template.spec.containers[0].env[2]).toEqual({
      name: 'REDIS_URL',
      value: `redis://${service.metadata.name}:6379/2`,
    });
  });

  test('persistence: true takes a 1Gi claim of the default class', () => {
    const sts = synthApp({ ...base, redis: { persistence: true } }).one('StatefulSet', 'redis');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
  });
});

describe('external Redis', () => {
  test('redis: { url } creates nothing and reads REDIS_URL from the Secret', () => {
    const { objects, one } = synthApp({ ...base, redis: { url: { secret: 'managed-redis', key: 'url' } } });
    expect(objects.map((o) => o.kind)).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
    ]);
    expect(one('Deployment').spec.template.spec.containers[0].env).toEqual([
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'managed-redis', key: 'url' } } },
      { name: 'WEB_CONCURRENCY', value: '1' },
    ]);
  });
});

describe('a Redis password reaches Redis and the app through env references', () => {
  const password = randomBytes(24).toString('hex');
  const secrets = { 'redis-auth': { password } };
  const { objects, one } = synthApp({ ...base, redis: { password: PASSWORD_REF } });
  const redisContainer = one('Deployment', 'redis').spec.template.spec.containers[0];
  const appContainer = one('Deployment').spec.template.spec.containers[0];
  const serviceName = one('Service', 'redis').metadata.name;

  test('REDIS_PASSWORD comes from the Secret, before the REDIS_URL that refers to it', () => {
    expect(appContainer.env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
      { name: 'REDIS_HOST', value: serviceName },
      { name: 'REDIS_PORT', value: '6379' },
      { name: 'REDIS_URL', value: `redis://:$(REDIS_PASSWORD)@${serviceName}:6379/0` },
      { name: 'WEB_CONCURRENCY', value: '1' },
    ]);
    expect(redisContainer.env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
    ]);
    expect(redisContainer.args.slice(-2)).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
  });

  test('no secret value in the synthesized YAML', () => {
    const yaml = Yaml.stringify(...objects);
    expect(yaml).not.toContain(password);
    expect(yaml).toContain('$(REDIS_PASSWORD)');
  });

  test('the kubelet expansion used here follows Kubernetes rules', () => {
    const vars = new Map([['A', 'x']]);
    expect(expandReferences('$(A)-$(B)-$$(A)-$A-$', vars)).toBe('x-$(B)-$(A)-$A-$');
  });

  describe('against a real redis-server started with the synthesized Redis command line', () => {
    let server: ChildProcess | undefined;
    let port = 0;
    let dataDir = '';
    const clients: Redis[] = [];

    beforeAll(async () => {
      const which = spawnSync('redis-server', ['--version']);
      if (which.error) {
        throw new Error(
          'redis-server is not installed: run `apt-get install -y redis-server` (scripts/setup.sh does)',
        );
      }
      port = await freePort();
      dataDir = mkdtempSync(join(tmpdir(), 'oneproc-redis-'));
      // The Redis container's argv as the kubelet runs it, with the pod's port and volume mapped to this
      // machine: the local port for 6379, a temp dir for the /data volume, loopback only.
      const argv = resolveArgv(redisContainer, resolveEnv(redisContainer, secrets)).map((w) =>
        w === '6379' ? String(port) : w === '/data' ? dataDir : w,
      );
      expect(argv).toContain(password);
      server = spawn(argv[0]!, [...argv.slice(1), '--bind', '127.0.0.1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await waitForReady(server);
    });

    afterAll(async () => {
      for (const c of clients) c.disconnect();
      if (server?.pid !== undefined && server.exitCode === null) {
        const exited = new Promise((resolve) => server!.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    /** REDIS_URL as the app process sees it, its Service address routed to the local server. */
    function appRedisUrl(): string {
      const url = resolveEnv(appContainer, secrets).get('REDIS_URL')!;
      expect(url).toBe(`redis://:${password}@${serviceName}:6379/0`);
      // What the Service does: its name and port lead to the Redis pod (here: the local server).
      return url.replace(`@${serviceName}:6379/`, `@127.0.0.1:${port}/`);
    }

    function client(url: string): Redis {
      const c = new Redis(url, {
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      c.on('error', () => {}); // failures are asserted on the commands' promises
      clients.push(c);
      return c;
    }

    test('two app replicas share state through REDIS_URL', async () => {
      const url = appRedisUrl();
      const replicaA = client(url);
      const replicaB = client(url);
      await replicaA.connect();
      await replicaB.connect();
      await replicaA.set('session:alice', 'logged-in');
      expect(await replicaB.get('session:alice')).toBe('logged-in');
      expect(await replicaA.config('GET', 'maxmemory')).toEqual(['maxmemory', String(204 * 1024 * 1024)]);
      expect(await replicaA.config('GET', 'save')).toEqual(['save', '']);
    });

    test('without the password the server refuses', async () => {
      const anonymous = client(`redis://127.0.0.1:${port}/0`);
      await anonymous.connect();
      await expect(anonymous.get('session:alice')).rejects.toThrow(/NOAUTH/);
      await expect(anonymous.auth(`not-${password}`)).rejects.toThrow(/WRONGPASS/);
      await expect(anonymous.auth(password)).resolves.toBe('OK');
      expect(await anonymous.get('session:alice')).toBe('logged-in');
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function waitForReady(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}
