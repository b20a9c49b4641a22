import { SingleProcessAppError } from '../../src/constructs';
import { construct, thrown, UVICORN } from './helpers';

const base = { image: 'shop:1', command: UVICORN, port: 8596 };

/** The message a bad prop gets, exactly. */
function messageFor(props: unknown): string {
  const err = thrown(() => construct(props));
  expect(err).toBeInstanceOf(SingleProcessAppError);
  expect(err.name).toBe('SingleProcessAppError');
  return err.message;
}

describe('bad props are refused with the prop and its value', () => {
  test.each<[string, unknown, string]>([
    ['missing image', { port: 80 }, `'image' (missing) is required`],
    ['empty image', { ...base, image: '' }, `'image' ("") must name a container image`],
    ['missing port', { image: 'shop:1' }, `'port' (missing) is required`],
    ['port 0', { ...base, port: 0 }, `'port' (0) must be a port number from 1 to 65535`],
    ['port as a string', { ...base, port: '80' }, `'port' ("80") must be a number`],
    ['port 70000', { ...base, port: 70000 }, `'port' (70000) must be a port number from 1 to 65535`],
    [
      'command not a list',
      { ...base, command: 'uvicorn main:app' },
      `'command' ("uvicorn main:app") must be a list`,
    ],
    ['command with a number', { ...base, command: ['uvicorn', 4] }, `'command[1]' (4) must be a string`],
    ['unknown prop', { ...base, replica: 3 }, `'replica' (3) is not a known prop`],
    ['misspelt nested prop', { ...base, replicas: { mni: 3 } }, `'replicas.mni' (3) is not a known prop`],
    ['replicas.min 0', { ...base, replicas: { min: 0 } }, `'replicas.min' (0) must be at least 1`],
    ['replicas.min 1.5', { ...base, replicas: { min: 1.5 } }, `'replicas.min' (1.5) must be a whole number`],
    [
      'min above max',
      { ...base, replicas: { min: 11, max: 10 } },
      `'replicas.min' (11) must be less than or equal to 'replicas.max' (10)`,
    ],
    [
      'CPU target 0',
      { ...base, replicas: { targetCpuUtilization: 0 } },
      `'replicas.targetCpuUtilization' (0) must be a percentage of the request from 1 to 1000`,
    ],
    [
      'stabilisation over an hour',
      { ...base, replicas: { scaleDownStabilizationSeconds: 7200 } },
      `'replicas.scaleDownStabilizationSeconds' (7200) must be at most 3600`,
    ],
    [
      'CPU request of two cores',
      { ...base, resources: { cpu: '2' } },
      `'resources.cpu' ("2") is more than one core, which one server process cannot use (one interpreter, one event loop): request at most "1" and scale out with replicas`,
    ],
    [
      'CPU request of 1500m',
      { ...base, resources: { cpu: '1500m' } },
      `'resources.cpu' ("1500m") is more than one core, which one server process cannot use (one interpreter, one event loop): request at most "1" and scale out with replicas`,
    ],
    [
      'CPU limit below request',
      { ...base, resources: { cpu: '500m', cpuLimit: '250m' } },
      `'resources.cpuLimit' ("250m") must be at least 'resources.cpu' (500m)`,
    ],
    [
      'CPU in an unknown unit',
      { ...base, resources: { cpu: '2 cores' } },
      `'resources.cpu' ("2 cores") must be a CPU quantity such as "250m" or "0.5"`,
    ],
    [
      'memory in MB',
      { ...base, resources: { memory: '512MB' } },
      `'resources.memory' ("512MB") must be a memory quantity such as "512Mi" or "1Gi"`,
    ],
    [
      'env name with a dash',
      { ...base, env: { 'LOG-LEVEL': 'info' } },
      `'env' ("LOG-LEVEL") has a key that must be an env var name (letters, digits and "_", not starting with a digit)`,
    ],
    ['env value not a string', { ...base, env: { PORT: 8596 } }, `'env.PORT' (8596) must be a string`],
    [
      'envValueFrom without key',
      { ...base, envValueFrom: { TOKEN: { secret: 'api' } } },
      `'envValueFrom.TOKEN.key' (missing) is required`,
    ],
    [
      'envValueFrom with a bad Secret name',
      { ...base, envValueFrom: { TOKEN: { secret: 'API_Token', key: 't' } } },
      `'envValueFrom.TOKEN.secret' ("API_Token") must be a Kubernetes object name (lower-case letters, digits, "-" and ".")`,
    ],
    [
      'env set twice',
      { ...base, env: { TOKEN: 'x' }, envValueFrom: { TOKEN: { secret: 'api', key: 't' } } },
      `'envValueFrom.TOKEN' ({"secret":"api","key":"t"}) is also set in 'env.TOKEN'`,
    ],
    [
      'upper-case name',
      { ...base, name: 'Shop' },
      `'name' ("Shop") must be lower-case letters, digits and "-" (an RFC 1123 label)`,
    ],
    [
      'label value with a space',
      { ...base, labels: { team: 'pay ments' } },
      `'labels.team' ("pay ments") must be a label value (letters, digits, "-", "_", "." and starting and ending alphanumeric)`,
    ],
    [
      'probe path without slash',
      { ...base, probes: { path: 'healthz' } },
      `'probes.path' ("healthz") must be an HTTP path starting with "/"`,
    ],
    [
      'drain not shorter than the grace period',
      { ...base, shutdown: { drainSeconds: 30, gracePeriodSeconds: 30 } },
      `'shutdown.gracePeriodSeconds' (30) must be greater than 'shutdown.drainSeconds' (30), or SIGTERM never reaches the server`,
    ],
    [
      'spread policy misspelt',
      { ...base, spread: { nodes: 'DoNotSchedul' } },
      `'spread.nodes' ("DoNotSchedul") must be "DoNotSchedule", "ScheduleAnyway" or "off"`,
    ],
    [
      'sessionAffinity false',
      { ...base, sessionAffinity: false },
      `'sessionAffinity' (false) must be true or { timeoutSeconds }`,
    ],
    [
      'sessionAffinity misspelt',
      { ...base, sessionAffinity: { timeout: 60 } },
      `'sessionAffinity.timeout' (60) is not a known prop`,
    ],
    [
      'redis false',
      { ...base, redis: false },
      `'redis' (false) must be true, { password?, persistence?, image?, cpu?, memory?, database? } or { url }`,
    ],
    [
      'redis misspelt',
      { ...base, redis: { pasword: { secret: 'r', key: 'p' } } },
      `'redis.pasword' ({"secret":"r","key":"p"}) is not a known prop`,
    ],
    [
      'redis url without key',
      { ...base, redis: { url: { secret: 'redis' } } },
      `'redis.url.key' (missing) is required`,
    ],
    [
      'redis url with in-cluster options',
      { ...base, redis: { url: { secret: 'redis', key: 'url' }, password: { secret: 'r', key: 'p' } } },
      `'redis.password' ({"secret":"r","key":"p"}) cannot be combined with 'redis.url': an external Redis is configured by its URL alone`,
    ],
    [
      'redis persistence size',
      { ...base, redis: { persistence: { size: '1GB' } } },
      `'redis.persistence.size' ("1GB") must be a storage size such as "1Gi"`,
    ],
    [
      'REDIS_URL set twice',
      { ...base, redis: true, env: { REDIS_URL: 'redis://x' } },
      `'env.REDIS_URL' ("redis://x") is set by 'redis'; remove one of them`,
    ],
    ['runAsUser root', { ...base, runAsUser: 0 }, `'runAsUser' (0) must be a non-root uid (1 or more)`],
    [
      'exemption without reason',
      { ...base, allowMultipleWorkers: { reason: ' ' } },
      `'allowMultipleWorkers.reason' (" ") must give the reason (it is shown wherever the exemption applies)`,
    ],
    [
      'exemption whose reason is a zero-width space',
      { ...base, allowMultipleWorkers: { reason: '\u200b' } },
      `'allowMultipleWorkers.reason' ("\u200b") must give the reason (it is shown wherever the exemption applies)`,
    ],
    [
      'exemption whose reason is only invisible characters',
      { ...base, allowMultipleWorkers: { reason: '\u200b\ufeff\u00a0\u2060\u3164' } },
      `'allowMultipleWorkers.reason' ("\u200b\ufeff\u00a0\u2060\u3164") must give the reason (it is shown wherever the exemption applies)`,
    ],
    [
      'exemption with a bad date',
      { ...base, allowMultipleWorkers: { reason: 'legacy', until: '2027/01/01' } },
      `'allowMultipleWorkers.until' ("2027/01/01") must be a date YYYY-MM-DD`,
    ],
    [
      'WEB_CONCURRENCY from a Secret',
      { ...base, envValueFrom: { WEB_CONCURRENCY: { secret: 's', key: 'k' } } },
      `'envValueFrom.WEB_CONCURRENCY' ({"secret":"s","key":"k"}) hides the worker count of servers that read WEB_CONCURRENCY (uvicorn, gunicorn, …); leave it out (SingleProcessApp sets "1") or set env.WEB_CONCURRENCY`,
    ],
    [
      'WEB_CONCURRENCY=auto',
      { ...base, env: { WEB_CONCURRENCY: 'auto' } },
      `'env.WEB_CONCURRENCY' ("auto") must be "1": servers that read it (uvicorn, gunicorn, …) start that many worker processes`,
    ],
  ])('%s', (_name, props, expected) => {
    expect(messageFor(props)).toBe(`SingleProcessApp 'test/web': ${expected}`);
  });

  test('the error carries the construct, prop and value', () => {
    const err = thrown(() => construct({ ...base, replicas: { min: 0 } })) as SingleProcessAppError;
    expect(err.construct).toBe('test/web');
    expect(err.prop).toBe('replicas.min');
    expect(err.value).toBe(0);
  });

  test('props that are not an object', () => {
    expect(messageFor(undefined)).toBe(`SingleProcessApp 'test/web': 'props' (missing) is required`);
  });
});
