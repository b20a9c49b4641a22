import { Chart, Testing } from 'cdk8s';
import { MultipleWorkersError, SingleProcessApp, SingleProcessAppError } from '../../src/constructs';
import { checkContainer, EXEMPT_HINT } from '../../src/engine';
import { captureStderr, construct, synthApp, thrown, UVICORN } from './helpers';

const PATH = 'spec.template.spec.containers[0]';

/** How a construct's user exempts an app: the prop, never an annotation written by hand. */
const PROP_HINT =
  'To exempt it, set the prop allowMultipleWorkers: { reason: "<reason>", until?: "YYYY-MM-DD" } on the construct.';

/** The engine's message as the construct reports it: the same, with the prop as the way out. */
function inConstruct(message: string): string {
  expect(message).toContain(EXEMPT_HINT);
  return message.replace(EXEMPT_HINT, PROP_HINT);
}

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
      `SingleProcessApp 'test/web': ${inConstruct(finding.message)} (uvicorn at ${PATH}.command[5])`,
    );
    expect(err.message).toContain('`--workers 4`');
    expect(err.message).not.toContain('annotate');
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
    expect(err.message).toBe(
      `SingleProcessApp 'test/web': ${inConstruct(finding.message)} (gunicorn at ${PATH}.args[1])`,
    );
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
      `SingleProcessApp 'test/web': ${inConstruct(finding.message)} (uvicorn at ${PATH}.command[2])`,
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
    let printed = '';
    captureStderr(
      () => {
        Testing.synth(chart);
        Testing.synth(chart);
      },
      (text) => {
        printed += text;
      },
    );
    expect(printed).toBe(`oneproc warning: test/web: ${app.warnings[0]!.message} (${PATH}.command[3])\n`);
    expect(app.warnings[0]!.message).toContain(PROP_HINT);
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

  test('exempts: the finding is reported as exempted, not as a warning, and the annotations are set', () => {
    const { app, one, printed } = synthApp({
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
    expect(app.warnings[0]!.message).not.toContain('To exempt it');
    expect(app.node.metadata.filter((m) => m.type === 'oneproc:warning')).toEqual([]);
    expect(app.node.metadata.filter((m) => m.type === 'oneproc:exempted').map((m) => m.data)).toEqual([
      app.warnings[0]!.message,
    ]);
    expect(printed).toBe(
      'oneproc: test/web: exempted by allowMultipleWorkers until 2999-12-31 ("legacy in-process cache, moving to Redis"): ' +
        `${app.warnings[0]!.message} (${PATH}.command[3])\n`,
    );
    expect(printed).not.toContain('warning');
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
    expect(err.message).toContain(
      "Not exempted: 'allowMultipleWorkers.until' (2000-01-01) has passed; remove the extra workers, or move the date.",
    );
    expect(err.message).not.toContain('oneproc.dev/');
    expect(err.message).toContain(PROP_HINT);
  });

  test('the exemption annotations in annotations or podAnnotations are refused, pointing at the prop', () => {
    for (const prop of ['annotations', 'podAnnotations']) {
      for (const key of ['oneproc.dev/allow-multiple-workers', 'oneproc.dev/allow-until']) {
        const err = thrown(() =>
          construct({ image: 'shop:1', command, port: 8000, [prop]: { [key]: 'legacy', team: 'shop' } }),
        );
        expect(err).toBeInstanceOf(SingleProcessAppError);
        expect(err.message).toBe(
          `SingleProcessApp 'test/web': '${prop}.${key}' ("legacy") is not how to exempt a SingleProcessApp: ` +
            "set the prop 'allowMultipleWorkers' ({ reason, until? }), which the guard honours and which writes both annotations",
        );
      }
    }
  });

  test('an until that is not a calendar date is refused as a prop', () => {
    const err = thrown(() =>
      construct({
        image: 'shop:1',
        command,
        port: 8000,
        allowMultipleWorkers: { reason: 'x', until: '2030-02-30' },
      }),
    );
    expect(err).toBeInstanceOf(SingleProcessAppError);
    expect(err.message).toBe(
      `SingleProcessApp 'test/web': 'allowMultipleWorkers.until' ("2030-02-30") must be a date of the calendar (YYYY-MM-DD)`,
    );
  });
});
