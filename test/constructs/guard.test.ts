import { Chart, Testing } from 'cdk8s';
import { MultipleWorkersError, SingleProcessApp, SingleProcessAppError } from '../../src/constructs';
import { checkContainer } from '../../src/engine';
import { construct, synthApp, thrown, UVICORN } from './helpers';

const PATH = 'spec.template.spec.containers[0]';

/** The engine's own finding for this container, as the guard must report it. */
function engineFinding(container: Record<string, unknown>) {
  const findings = checkContainer(
    { name: 'app', image: 'shop:1', env: [{ name: 'WEB_CONCURRENCY', value: '1' }], ...container },
    { path: PATH },
  );
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('the synth-time guard refuses multi-worker commands with the engine message', () => {
  test('uvicorn --workers 4 in command', () => {
    const command = ['uvicorn', 'main:app', '--host', '0.0.0.0', '--workers', '4'];
    const err = thrown(() => construct({ image: 'shop:1', command, port: 8000 })) as MultipleWorkersError;
    expect(err).toBeInstanceOf(MultipleWorkersError);
    expect(err.name).toBe('MultipleWorkersError');
    const finding = engineFinding({ command });
    expect(err.message).toBe(
      `SingleProcessApp 'test/web': ${finding.message} (uvicorn at ${PATH}.command[5])`,
    );
    expect(err.message).toContain('`--workers 4`');
    expect(err.findings).toHaveLength(1);
    expect(err.findings[0]).toMatchObject({
      rule: 'uvicorn',
      severity: 'error',
      workers: 4,
      path: `${PATH}.command[5]`,
      origin: { kind: 'Deployment', name: 'web', container: 'app' },
    });
  });

  test('gunicorn -w4 in args', () => {
    const args = ['gunicorn', '-w4', '-b', '0.0.0.0:8000', 'app:app'];
    const err = thrown(() => construct({ image: 'shop:1', args, port: 8000 })) as MultipleWorkersError;
    expect(err).toBeInstanceOf(MultipleWorkersError);
    const finding = engineFinding({ args });
    expect(err.message).toBe(`SingleProcessApp 'test/web': ${finding.message} (gunicorn at ${PATH}.args[1])`);
    expect(err.message).toContain('`-w4`');
    expect(err.findings[0]).toMatchObject({ rule: 'gunicorn', workers: 4 });
  });

  test('sh -c "… --workers 3": the script is read, the decisive word named', () => {
    const command = [
      'sh',
      '-c',
      'python -m alembic upgrade head && exec uvicorn main:app --host 0.0.0.0 --workers 3',
    ];
    const err = thrown(() => construct({ image: 'shop:1', command, port: 8000 })) as MultipleWorkersError;
    expect(err).toBeInstanceOf(MultipleWorkersError);
    const finding = engineFinding({ command });
    expect(err.message).toBe(
      `SingleProcessApp 'test/web': ${finding.message} (uvicorn at ${PATH}.command[2])`,
    );
    expect(err.message).toContain('`--workers 3`');
    expect(err.findings[0]).toMatchObject({ rule: 'uvicorn', workers: 3, path: `${PATH}.command[2]` });
  });

  test('a worker count from a literal env reference is expanded like the kubelet does', () => {
    const command = ['uvicorn', 'main:app', '--workers', '$(WORKERS)'];
    const err = thrown(() => construct({ image: 'shop:1', command, port: 8000, env: { WORKERS: '4' } }));
    expect(err).toBeInstanceOf(MultipleWorkersError);
    expect((err as MultipleWorkersError).findings[0]).toMatchObject({ rule: 'uvicorn', workers: 4 });
  });

  test('WEB_CONCURRENCY=4 is refused as a prop before the engine runs', () => {
    const err = thrown(() =>
      construct({ image: 'shop:1', command: UVICORN, port: 8596, env: { WEB_CONCURRENCY: '4' } }),
    );
    expect(err).toBeInstanceOf(SingleProcessAppError);
    expect(err.message).toBe(
      `SingleProcessApp 'test/web': 'env.WEB_CONCURRENCY' ("4") starts 4 worker processes in servers that read it ` +
        '(uvicorn, gunicorn, …): each has its own memory, so sessions and caches differ between requests. ' +
        `Leave it out (SingleProcessApp sets "1"), scale with 'replicas' and keep shared state in Redis`,
    );
  });

  test('a single uvicorn process passes', () => {
    expect(construct({ image: 'shop:1', command: UVICORN, port: 8596 }).warnings).toEqual([]);
    expect(
      construct({
        image: 'shop:1',
        command: ['gunicorn', '-w', '1', '-k', 'uvicorn.workers.UvicornWorker', 'main:app'],
        port: 8000,
      }).warnings,
    ).toEqual([]);
  });
});

describe('warnings are reported, not thrown', () => {
  test('a worker count from a Secret is unknowable: warning in `warnings`, node metadata and at synth', () => {
    const command = ['uvicorn', 'main:app', '--workers', '$(WORKERS)'];
    const chart = new Chart(Testing.app(), 'test');
    const app = new SingleProcessApp(chart, 'web', {
      image: 'shop:1',
      command,
      port: 8000,
      envValueFrom: { WORKERS: { secret: 'tuning', key: 'workers' } },
    });
    expect(app.warnings).toHaveLength(1);
    expect(app.warnings[0]).toMatchObject({
      rule: 'uvicorn',
      severity: 'warning',
      workers: null,
      path: `${PATH}.command[3]`,
    });
    expect(app.node.metadata.filter((m) => m.type === 'oneproc:warning').map((m) => m.data)).toEqual([
      app.warnings[0]!.message,
    ]);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      Testing.synth(chart);
      Testing.synth(chart);
      expect(warn.mock.calls).toEqual([
        [`oneproc warning: test/web: ${app.warnings[0]!.message} (${PATH}.command[3])`],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  test('one replica and a CPU limit above one core are warned about', () => {
    const app = construct({
      image: 'shop:1',
      command: UVICORN,
      port: 8596,
      replicas: { min: 1 },
      resources: { cpu: '1', cpuLimit: '2' },
    });
    expect(app.warnings.map((w) => w.message)).toEqual([
      'resources.cpuLimit (2) is more than one core, which one server process cannot use; keep it at "1" and scale out with replicas.',
      'replicas.min (1) leaves one pod: every rollout, eviction or crash is an outage. Use at least 2.',
    ]);
  });
});

describe('allowMultipleWorkers', () => {
  const command = ['uvicorn', 'main:app', '--workers', '4'];

  test('exempts: the finding becomes a warning and the annotations are set', () => {
    const { app, one } = synthApp({
      image: 'shop:1',
      command,
      port: 8000,
      allowMultipleWorkers: { reason: 'legacy in-process cache, moving to Redis', until: '2999-12-31' },
    });
    expect(app.warnings).toHaveLength(1);
    expect(app.warnings[0]).toMatchObject({
      rule: 'uvicorn',
      severity: 'error',
      workers: 4,
      exempted: { reason: 'legacy in-process cache, moving to Redis', until: '2999-12-31' },
    });
    const deployment = one('Deployment');
    const expected = {
      'oneproc.dev/allow-multiple-workers': 'legacy in-process cache, moving to Redis',
      'oneproc.dev/allow-until': '2999-12-31',
    };
    expect(deployment.metadata.annotations).toEqual(expected);
    expect(deployment.spec.template.metadata.annotations).toEqual(expected);
  });

  test('also allows WEB_CONCURRENCY above 1', () => {
    const app = construct({
      image: 'shop:1',
      command: UVICORN,
      port: 8596,
      env: { WEB_CONCURRENCY: '4' },
      allowMultipleWorkers: { reason: 'benchmark' },
    });
    expect(app.env).toEqual([{ name: 'WEB_CONCURRENCY', value: '4' }]);
    expect(app.warnings.length).toBeGreaterThan(0);
    expect(app.warnings.every((w) => w.exempted?.reason === 'benchmark')).toBe(true);
  });

  test('an exemption past its date no longer applies', () => {
    const err = thrown(() =>
      construct({
        image: 'shop:1',
        command,
        port: 8000,
        allowMultipleWorkers: { reason: 'legacy', until: '2000-01-01' },
      }),
    );
    expect(err).toBeInstanceOf(MultipleWorkersError);
    expect(err.message).toContain('Not exempted: ');
    expect(err.message).toContain('2000-01-01');
  });
});
