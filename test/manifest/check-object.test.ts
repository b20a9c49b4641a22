import fc from 'fast-check';
import { checkObject, inspectObject } from '../../src/manifest';
import type { Finding } from '../../src/types';
import { container, RULES } from './fake-rule';

const NOW = new Date('2026-06-15T12:00:00Z');

function check(object: unknown, origin = {}): Finding[] {
  return checkObject(object, { rules: RULES, now: NOW, origin });
}

/** The fields of each finding that say where it is. */
function where(findings: Finding[]) {
  return findings.map((f) => ({ path: f.path, ...f.origin, workers: f.workers }));
}

const podSpec = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ containers, ...extra });
const template = (spec: unknown, annotations?: Record<string, unknown>) => ({
  metadata: annotations ? { labels: { app: 'web' }, annotations } : { labels: { app: 'web' } },
  spec,
});
const meta = (name: string, annotations?: Record<string, unknown>) => ({
  name,
  namespace: 'shop',
  ...(annotations ? { annotations } : {}),
});

describe('checkObject: where each kind keeps its containers', () => {
  it('Pod: spec.containers[i]', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('web-0'),
      spec: podSpec([container('sidecar', 1), container('app', 4)]),
    };
    expect(where(check(pod))).toEqual([
      {
        path: 'spec.containers[1].args[1]',
        kind: 'Pod',
        namespace: 'shop',
        name: 'web-0',
        container: 'app',
        workers: 4,
      },
    ]);
  });

  it.each([
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'StatefulSet'],
    ['apps/v1', 'DaemonSet'],
    ['apps/v1', 'ReplicaSet'],
    ['v1', 'ReplicationController'],
    ['batch/v1', 'Job'],
  ])('%s %s: spec.template.spec.containers[i]', (apiVersion, kind) => {
    const object = {
      apiVersion,
      kind,
      metadata: meta('web'),
      spec: { template: template(podSpec([container('app', 3)])) },
    };
    expect(where(check(object))).toEqual([
      {
        path: 'spec.template.spec.containers[0].args[1]',
        kind,
        namespace: 'shop',
        name: 'web',
        container: 'app',
        workers: 3,
      },
    ]);
  });

  it('CronJob: spec.jobTemplate.spec.template.spec.containers[i]', () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('nightly'),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: template(podSpec([container('job', 2)])) } },
      },
    };
    expect(where(check(cron))).toEqual([
      {
        path: 'spec.jobTemplate.spec.template.spec.containers[0].args[1]',
        kind: 'CronJob',
        namespace: 'shop',
        name: 'nightly',
        container: 'job',
        workers: 2,
      },
    ]);
  });

  it('PodTemplate: template.spec.containers[i]', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: meta('tpl'),
      template: template(podSpec([container('app')])),
    };
    expect(where(check(object))).toEqual([
      {
        path: 'template.spec.containers[0].args[1]',
        kind: 'PodTemplate',
        namespace: 'shop',
        name: 'tpl',
        container: 'app',
        workers: 4,
      },
    ]);
  });

  it('checks restartable init containers (native sidecars) but not ordinary init containers', () => {
    const spec = podSpec([container('app', 1)], {
      initContainers: [
        container('migrate', 8),
        { ...container('proxy', 2), restartPolicy: 'Always' },
        { ...container('once', 5), restartPolicy: 'OnFailure' },
      ],
    });
    const object = { kind: 'Deployment', metadata: meta('web'), spec: { template: template(spec) } };
    expect(check(object).map((f) => [f.path, f.origin.container])).toEqual([
      ['spec.template.spec.initContainers[1].args[1]', 'proxy'],
    ]);
    expect(inspectObject(object, { rules: RULES }).containers).toBe(2);
  });

  it('leaves out namespace, name and container when the object does not say them', () => {
    const object = { kind: 'Pod', spec: { containers: [{ command: ['fake-server', '--workers', '2'] }] } };
    expect(check(object)[0].origin).toEqual({ kind: 'Pod' });
  });

  it('keeps the caller origin (file, document) and falls back to its namespace', () => {
    const object = { kind: 'Pod', metadata: { name: 'p' }, spec: podSpec([container('app')]) };
    const [finding] = check(object, {
      file: 'a.yaml',
      document: 2,
      namespace: 'from-request',
      kind: 'Ignored',
    });
    expect(finding.origin).toEqual({
      file: 'a.yaml',
      document: 2,
      namespace: 'from-request',
      kind: 'Pod',
      name: 'p',
      container: 'app',
    });
  });

  it('names a Pod by generateName when it has no name yet (as at admission)', () => {
    const object = {
      kind: 'Pod',
      metadata: { generateName: 'web-7c9d-' },
      spec: podSpec([container('app')]),
    };
    expect(check(object)[0].origin.name).toBe('web-7c9d-');
  });

  it('passes the severity configuration to the engine', () => {
    const object = { kind: 'Pod', spec: podSpec([container('app')]) };
    expect(checkObject(object, { rules: RULES, severity: { web: 'warning' } })[0].severity).toBe('warning');
    expect(checkObject(object, { rules: RULES, severity: { web: 'off' } })).toEqual([]);
  });

  it('reports nothing for other kinds, objects without kind, or pod specs of the wrong shape', () => {
    const spec = { template: template(podSpec([container('app')])) };
    expect(check({ kind: 'Service', spec })).toEqual([]);
    expect(check({ kind: 'Rollout', apiVersion: 'argoproj.io/v1alpha1', spec })).toEqual([]);
    expect(check({ spec })).toEqual([]);
    expect(check({ kind: 'Deployment', spec: { template: { spec: 'nope' } } })).toEqual([]);
    expect(check({ kind: 'Deployment', spec: { template: { spec: { containers: 'nope' } } } })).toEqual([]);
    expect(check({ kind: 'toString', spec })).toEqual([]);
    expect(check({ kind: '__proto__', spec })).toEqual([]);
  });
});

describe('checkObject: lists', () => {
  it('reads the items of a List with the prefix items[i].', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { kind: 'Service', metadata: meta('svc') },
        {
          kind: 'Deployment',
          metadata: meta('web'),
          spec: { template: template(podSpec([container('app', 2)])) },
        },
        'not an object',
        { kind: 'Pod', metadata: meta('p'), spec: podSpec([container('one', 1), container('two', 6)]) },
      ],
    };
    expect(where(check(list))).toEqual([
      {
        path: 'items[1].spec.template.spec.containers[0].args[1]',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'app',
        workers: 2,
      },
      {
        path: 'items[3].spec.containers[1].args[1]',
        kind: 'Pod',
        namespace: 'shop',
        name: 'p',
        container: 'two',
        workers: 6,
      },
    ]);
  });

  it('reads Lists inside Lists', () => {
    const inner = {
      kind: 'List',
      items: [{ kind: 'Pod', metadata: meta('p'), spec: podSpec([container('app')]) }],
    };
    const outer = { kind: 'List', items: [{ kind: 'ConfigMap' }, inner] };
    expect(check(outer).map((f) => f.path)).toEqual(['items[1].items[0].spec.containers[0].args[1]']);
  });

  it('takes the item kind from a typed list (DeploymentList items carry no kind)', () => {
    const list = {
      apiVersion: 'apps/v1',
      kind: 'DeploymentList',
      items: [{ metadata: meta('web'), spec: { template: template(podSpec([container('app')])) } }],
    };
    expect(where(check(list))).toEqual([
      {
        path: 'items[0].spec.template.spec.containers[0].args[1]',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'app',
        workers: 4,
      },
    ]);
  });

  it('stops at absurdly deep list nesting instead of overflowing the stack', () => {
    let object: unknown = { kind: 'Pod', spec: podSpec([container('app')]) };
    for (let i = 0; i < 100_000; i++) object = { kind: 'List', items: [object] };
    expect(check(object)).toEqual([]);
  });
});

describe('checkObject: exemptions', () => {
  const deployment = (
    objectAnnotations?: Record<string, unknown>,
    templateAnnotations?: Record<string, unknown>,
  ) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web', objectAnnotations),
    spec: { template: template(podSpec([container('app')]), templateAnnotations) },
  });
  const REASON = 'oneproc.dev/allow-multiple-workers';
  const UNTIL = 'oneproc.dev/allow-until';

  it('exempts with a reason on the object, keeping the severity', () => {
    const [finding] = check(deployment({ [REASON]: '  legacy app, sessions in Redis  ' }));
    expect(finding.severity).toBe('error');
    expect(finding.exempted).toEqual({ reason: 'legacy app, sessions in Redis' });
  });

  it('exempts with a reason on the pod template', () => {
    const [finding] = check(deployment(undefined, { [REASON]: 'migrating', [UNTIL]: '2026-07-01' }));
    expect(finding.exempted).toEqual({ reason: 'migrating', until: '2026-07-01' });
  });

  it('exempts a CronJob through its job template metadata', () => {
    const cron = {
      kind: 'CronJob',
      metadata: meta('nightly'),
      spec: {
        jobTemplate: {
          metadata: { annotations: { [REASON]: 'batch' } },
          spec: { template: template(podSpec([container('job')])) },
        },
      },
    };
    expect(check(cron)[0].exempted).toEqual({ reason: 'batch' });
  });

  it('lets the pod template decide when both carry the annotation', () => {
    const [finding] = check(deployment({ [REASON]: 'outer' }, { [REASON]: 'inner' }));
    expect(finding.exempted).toEqual({ reason: 'inner' });
    const [rejected] = check(deployment({ [REASON]: 'outer' }, { [REASON]: '' }));
    expect(rejected.exempted).toBeUndefined();
  });

  it('still applies on the last day of allow-until (inclusive, UTC)', () => {
    const [finding] = check(deployment({ [REASON]: 'ok', [UNTIL]: '2026-06-15' }));
    expect(finding.exempted).toEqual({ reason: 'ok', until: '2026-06-15' });
  });

  it.each([
    ['', 'has an empty reason; an exemption needs a reason'],
    ['   ', 'has an empty reason; an exemption needs a reason'],
    ['\u200b', 'has no visible reason (only invisible characters: U+200B); an exemption needs a reason'],
    [
      ' \ufeff\u00a0\u200b\u2060\u00ad\u3164\u202e\u2800 ',
      'has no visible reason (only invisible characters: U+FEFF U+00A0 U+200B U+2060 U+00AD U+3164 U+202E U+2800); an exemption needs a reason',
    ],
    ['\t\n', 'has no visible reason (only invisible characters: U+0009 U+000A); an exemption needs a reason'],
  ])('does not exempt with the reason %p, and says why', (reason, why) => {
    const [finding] = check(deployment({ [REASON]: reason }));
    expect(finding.exempted).toBeUndefined();
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain(
      `Not exempted: the annotation oneproc.dev/allow-multiple-workers in metadata.annotations ${why}`,
    );
  });

  it('does not exempt when the reason is not a string', () => {
    const [finding] = check(deployment(undefined, { [REASON]: true }));
    expect(finding.exempted).toBeUndefined();
    expect(finding.message).toContain(
      'Not exempted: the annotation oneproc.dev/allow-multiple-workers in spec.template.metadata.annotations is not a string',
    );
  });

  it('does not exempt after allow-until and says when it expired', () => {
    const [finding] = check(deployment({ [REASON]: 'temporary', [UNTIL]: '2026-06-14' }));
    expect(finding.exempted).toBeUndefined();
    expect(finding.message).toContain(
      'Not exempted: the exemption in metadata.annotations expired on 2026-06-14 (oneproc.dev/allow-until)',
    );
  });

  it.each(['2026-02-30', '2026-13-01', 'next week', '2026-6-1', '', 20260701])(
    'does not exempt with the invalid date %p and says so',
    (until) => {
      const [finding] = check(deployment({ [REASON]: 'temporary', [UNTIL]: until }));
      expect(finding.exempted).toBeUndefined();
      expect(finding.message).toContain(
        `Not exempted: oneproc.dev/allow-until: ${JSON.stringify(until)} in metadata.annotations is not a valid date (expected YYYY-MM-DD)`,
      );
    },
  );

  it('says so when allow-until is set without a reason', () => {
    const [finding] = check(deployment({ [UNTIL]: '2027-01-01' }));
    expect(finding.exempted).toBeUndefined();
    expect(finding.message).toContain(
      'Not exempted: metadata.annotations sets oneproc.dev/allow-until but not oneproc.dev/allow-multiple-workers',
    );
  });

  it('uses the current time when now is not given', () => {
    const object = deployment({ [REASON]: 'old', [UNTIL]: '2000-01-01' });
    expect(checkObject(object, { rules: RULES })[0].exempted).toBeUndefined();
  });
});

describe('checkObject: never throws', () => {
  it('accepts any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(Array.isArray(checkObject(value, { rules: RULES }))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts arbitrary objects shaped like workloads', () => {
    const anyValue = fc.jsonValue({ maxDepth: 4 });
    const kind = fc.constantFrom('Pod', 'Deployment', 'CronJob', 'PodTemplate', 'List', 'PodList', 'Job');
    const workload = fc.record({
      kind,
      metadata: fc.oneof(
        anyValue,
        fc.record({ name: anyValue, annotations: fc.dictionary(fc.string(), anyValue) }),
      ),
      spec: fc.oneof(
        anyValue,
        fc.record({
          template: fc.record({ metadata: anyValue, spec: fc.record({ containers: fc.array(anyValue) }) }),
        }),
        fc.record({ containers: fc.array(anyValue), initContainers: fc.array(anyValue) }),
      ),
      items: fc.array(anyValue),
      template: anyValue,
    });
    fc.assert(
      fc.property(workload, (value) => {
        expect(Array.isArray(checkObject(value, { rules: RULES }))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts deep nesting inside a container', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = { a: [deep] };
    const object = {
      kind: 'Pod',
      spec: { containers: [{ name: 'app', command: deep, args: [deep], env: [deep] }] },
    };
    expect(() => checkObject(object)).not.toThrow();
  });

  it('reports an internal warning instead of throwing on an object whose getters throw', () => {
    const hostile = {
      kind: 'Pod',
      get spec(): unknown {
        throw new Error('boom');
      },
    };
    const findings = checkObject(hostile, { origin: { file: 'x.yaml' } });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'internal',
        severity: 'warning',
        path: '',
        origin: { file: 'x.yaml' },
      }),
    ]);
  });
});
