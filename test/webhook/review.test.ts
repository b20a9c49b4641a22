import { WorkBudget } from '../../src/engine';
import { checkObject } from '../../src/manifest';
import { RULES } from '../../src/rules';
import type { ServerRule } from '../../src/rules/types';
import type { Finding } from '../../src/types';
import {
  type CheckObject,
  MAX_WARNING_CHARS,
  MAX_WARNINGS_BYTES,
  type Mode,
  review,
  reviewBody,
  salvageUid,
} from '../../src/webhook/review';
import { admissionReview, type ContainerSpec, UVICORN_1, UVICORN_4, workload } from './helpers';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const NOW = new Date('2026-11-26T12:00:00Z');
const options = (mode: Mode, check: CheckObject = checkObject) => ({ mode, check, now: () => NOW });

/** The exact deny message for these findings: one line per container, the engine's own message. */
function denyMessage(findings: Finding[]): string {
  return findings.map((f) => `container "${f.origin.container}" (${f.path}): ${f.message}`).join('\n');
}

function errorsOf(object: unknown): Finding[] {
  return checkObject(object, { now: NOW }).filter((f) => f.severity === 'error' && !f.exempted);
}

const envelope = (response: unknown) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response,
});

describe('review: decisions', () => {
  it('denies a Pod that starts uvicorn with 4 workers, with 403 Forbidden and the engine message', () => {
    const pod = workload('Pod', 'api', [UVICORN_4]);
    const { review: out, decision } = review(admissionReview({ uid: UID, object: pod }), options('enforce'));
    const findings = errorsOf(pod);
    expect(findings.map((f) => [f.rule, f.path, f.workers])).toEqual([
      ['uvicorn', 'spec.containers[0].args[4]', 4],
    ]);
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: denyMessage(findings) },
      }),
    );
    expect(out.response.status?.message).toContain(
      'container "api" (spec.containers[0].args[4]): uvicorn starts 4',
    );
    expect(out.response.status?.message).toContain('oneproc.dev/allow-multiple-workers');
    expect(decision).toEqual({
      uid: UID,
      kind: 'Pod',
      namespace: 'shop',
      name: 'api',
      operation: 'CREATE',
      dryRun: false,
      mode: 'enforce',
      verdict: 'denied',
      rules: ['uvicorn'],
      exempted: [],
    });
  });

  it('allows one worker with the bare allowed answer', () => {
    const pod = workload('Pod', 'api', [UVICORN_1]);
    const { review: out, decision } = review(admissionReview({ uid: UID, object: pod }), options('enforce'));
    expect(out).toEqual(envelope({ uid: UID, allowed: true }));
    expect(decision.verdict).toBe('allowed');
  });

  it.each([
    ['Deployment', 'spec.template.spec.containers[0].args[4]'],
    ['StatefulSet', 'spec.template.spec.containers[0].args[4]'],
    ['DaemonSet', 'spec.template.spec.containers[0].args[4]'],
    ['ReplicaSet', 'spec.template.spec.containers[0].args[4]'],
    ['ReplicationController', 'spec.template.spec.containers[0].args[4]'],
    ['Job', 'spec.template.spec.containers[0].args[4]'],
    ['CronJob', 'spec.jobTemplate.spec.template.spec.containers[0].args[4]'],
  ])('denies the pod template of a %s at %s', (kind, path) => {
    const object = workload(kind, 'api', [UVICORN_4]);
    const { review: out, decision } = review(admissionReview({ uid: UID, object }), options('enforce'));
    const findings = errorsOf(object);
    expect(findings.map((f) => f.path)).toEqual([path]);
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: denyMessage(findings) },
      }),
    );
    expect(decision).toMatchObject({ kind, verdict: 'denied', rules: ['uvicorn'] });
  });

  it('in warn mode allows with one short warning per container', () => {
    const object = workload('Deployment', 'api', [UVICORN_4]);
    const { review: out, decision } = review(admissionReview({ uid: UID, object }), options('warn'));
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: true,
        warnings: [
          'container "api": uvicorn starts 4 worker processes: `--workers 4`. Run one process per container and ' +
            'scale with replicas; exempt with annotation oneproc.dev/allow-multiple-workers.',
        ],
      }),
    );
    expect(decision).toMatchObject({ verdict: 'warned', mode: 'warn', rules: ['uvicorn'] });
  });

  it('warns, in both modes, about counts that cannot be known, and denies only the certain one', () => {
    const unknown: ContainerSpec = {
      name: 'web',
      command: ['gunicorn', '-w', '$(WORKERS)', 'app:app'],
      env: [{ name: 'WORKERS', valueFrom: { secretKeyRef: { name: 's', key: 'workers' } } }],
    };
    const object = workload('Deployment', 'api', [UVICORN_4, unknown]);
    const warning = checkObject(object, { now: NOW }).find((f) => f.severity === 'warning');
    expect(warning?.rule).toBe('gunicorn');
    const enforce = review(admissionReview({ uid: UID, object }), options('enforce')).review;
    expect(enforce.response.allowed).toBe(false);
    expect(enforce.response.status?.message).toBe(denyMessage(errorsOf(object)));
    expect(enforce.response.warnings).toHaveLength(1);
    expect(enforce.response.warnings?.[0]).toMatch(
      /^container "web": gunicorn worker count cannot be known here/,
    );
    const warn = review(admissionReview({ uid: UID, object }), options('warn')).review;
    expect(warn.response.allowed).toBe(true);
    expect(warn.response.warnings?.map((w) => w.slice(0, 24))).toEqual([
      'container "api": uvicorn',
      'container "web": gunicor',
    ]);
  });

  it('warns that a count the server refuses keeps the container from starting, and denies the counts it reads', () => {
    // `$(WORKERS)` with no such variable reaches gunicorn as written; `1_0` is Python's int() for 10.
    const refused: ContainerSpec = { name: 'web', command: ['gunicorn', '-w', '$(WORKERS)', 'app:app'] };
    const underscored: ContainerSpec = { name: 'api', command: ['uvicorn', 'main:app', '--workers', '1_0'] };
    const object = workload('Deployment', 'api', [refused, underscored]);
    const enforce = review(admissionReview({ uid: UID, object }), options('enforce')).review;
    expect(enforce.response.allowed).toBe(false);
    expect(enforce.response.status?.message).toMatch(
      /container "api" \(\S+\): uvicorn starts 10 worker processes: `--workers 1_0`/,
    );
    expect(enforce.response.warnings).toHaveLength(1);
    expect(enforce.response.warnings?.[0]).toMatch(
      /^container "web": gunicorn refuses its worker count: `-w \$\(WORKERS\)`/,
    );
  });

  it('judges dryRun requests exactly like the others', () => {
    for (const mode of ['enforce', 'warn'] as const) {
      const object = workload('Deployment', 'api', [UVICORN_4]);
      const real = review(admissionReview({ uid: UID, object }), options(mode));
      const dry = review(admissionReview({ uid: UID, object, dryRun: true }), options(mode));
      expect(dry.review).toEqual(real.review);
      expect(dry.decision).toEqual({ ...real.decision, dryRun: true });
    }
  });

  it('allows an exempted workload without warnings and records the exemption', () => {
    const object = workload('Deployment', 'api', [UVICORN_4], {
      'oneproc.dev/allow-multiple-workers': 'legacy app, sessions move to Redis in Q1',
      'oneproc.dev/allow-until': '2026-12-31',
    });
    const { review: out, decision } = review(admissionReview({ uid: UID, object }), options('enforce'));
    expect(out).toEqual(envelope({ uid: UID, allowed: true }));
    expect(decision).toMatchObject({ verdict: 'allowed', rules: [], exempted: ['uvicorn'] });
  });

  it('denies once the exemption has expired, saying so', () => {
    const object = workload('Deployment', 'api', [UVICORN_4], {
      'oneproc.dev/allow-multiple-workers': 'legacy app',
      'oneproc.dev/allow-until': '2026-01-31',
    });
    const { review: out } = review(admissionReview({ uid: UID, object }), options('enforce'));
    expect(out.response.allowed).toBe(false);
    expect(out.response.status?.message).toBe(denyMessage(errorsOf(object)));
    expect(out.response.status?.message).toContain('expired on 2026-01-31');
  });

  it('does not look at anything in mode off', () => {
    const object = workload('Deployment', 'api', [UVICORN_4]);
    const check = jest.fn(checkObject);
    const { review: out } = review(admissionReview({ uid: UID, object }), options('off', check));
    expect(out).toEqual(envelope({ uid: UID, allowed: true }));
    expect(check).not.toHaveBeenCalled();
  });

  it.each(['DELETE', 'CONNECT'] as const)('allows %s untouched', (operation) => {
    const check = jest.fn(checkObject);
    const oldObject = workload('Deployment', 'api', [UVICORN_4]);
    const { review: out, decision } = review(
      admissionReview({ uid: UID, operation, oldObject }),
      options('enforce', check),
    );
    expect(out).toEqual(envelope({ uid: UID, allowed: true }));
    expect(decision).toMatchObject({ operation, verdict: 'allowed' });
    expect(check).not.toHaveBeenCalled();
  });

  it('allows subresource requests (scale, status) untouched', () => {
    const object = workload('Deployment', 'api', [UVICORN_4]);
    const { review: out } = review(
      admissionReview({ uid: UID, operation: 'UPDATE', object, oldObject: object, subResource: 'status' }),
      options('enforce'),
    );
    expect(out).toEqual(envelope({ uid: UID, allowed: true }));
  });

  it('takes the namespace from the request when the object omits it', () => {
    const object = workload('Pod', 'api', [UVICORN_4]);
    delete (object.metadata as Record<string, unknown>).namespace;
    const { decision } = review(
      admissionReview({ uid: UID, object, namespace: 'payments' }),
      options('enforce'),
    );
    expect(decision).toMatchObject({ namespace: 'payments', verdict: 'denied' });
  });
});

describe('review: what a built-in controller creates from a checked template is skipped, by identity', () => {
  const owned = (kind: string, apiVersion: string, ownerKind: string, controller = true) => {
    const object = workload(kind, 'api-7d4b9c', [UVICORN_4]);
    (object.metadata as Record<string, unknown>).ownerReferences = [
      { apiVersion, kind: ownerKind, name: 'api', uid: 'f3c8a0d2-0000-4000-8000-000000000002', controller },
    ];
    return object;
  };
  // Each controller and what it creates (kubernetes/cmd/kube-controller-manager/app/apps.go, batch.go,
  // core.go); `system:kube-controller-manager` when the controllers share its credentials.
  const created: [string, string, string, string][] = [
    ['replicaset-controller', 'Pod', 'apps/v1', 'ReplicaSet'],
    ['replication-controller', 'Pod', 'v1', 'ReplicationController'],
    ['statefulset-controller', 'Pod', 'apps/v1', 'StatefulSet'],
    ['daemon-set-controller', 'Pod', 'apps/v1', 'DaemonSet'],
    ['job-controller', 'Pod', 'batch/v1', 'Job'],
    ['deployment-controller', 'ReplicaSet', 'apps/v1', 'Deployment'],
    ['cronjob-controller', 'Job', 'batch/v1', 'CronJob'],
  ];

  it.each(created)(
    'admits, unjudged, what the %s creates (a %s owned by a %s %s)',
    (sa, kind, apiVersion, ownerKind) => {
      for (const username of [`system:serviceaccount:kube-system:${sa}`, 'system:kube-controller-manager']) {
        const check = jest.fn(checkObject);
        const { review: out, decision } = review(
          admissionReview({ uid: UID, object: owned(kind, apiVersion, ownerKind), username }),
          options('enforce', check),
        );
        expect(out).toEqual(envelope({ uid: UID, allowed: true }));
        expect(decision).toMatchObject({ verdict: 'allowed', skipped: 'created from a checked template' });
        expect(check).not.toHaveBeenCalled();
      }
    },
  );

  it.each(created)(
    'judges what anyone else sends with an owner, as if the %s had (a %s owned by a %s %s)',
    (_sa, kind, apiVersion, ownerKind) => {
      for (const username of [
        'jane@example.com',
        'system:serviceaccount:shop:deployer',
        'system:node:worker-1',
      ]) {
        const { review: out, decision } = review(
          admissionReview({ uid: UID, object: owned(kind, apiVersion, ownerKind), username }),
          options('enforce'),
        );
        expect(out.response).toMatchObject({ allowed: false, status: { code: 403, reason: 'Forbidden' } });
        expect(decision.skipped).toBeUndefined();
      }
    },
  );

  it('judges what a controller sends without a controller ownerReference of a built-in workload', () => {
    const username = 'system:serviceaccount:kube-system:replicaset-controller';
    const objects = [
      workload('Pod', 'api', [UVICORN_4]),
      owned('Pod', 'apps/v1', 'ReplicaSet', false),
      owned('Pod', 'argoproj.io/v1alpha1', 'Rollout'),
      owned('Pod', 'apps/v1', 'ControllerRevision'),
    ];
    for (const object of objects) {
      const { review: out } = review(admissionReview({ uid: UID, object, username }), options('enforce'));
      expect(out.response.allowed).toBe(false);
    }
  });
});

describe('review: UPDATE keeps urgent fixes of existing workloads possible', () => {
  const update = (oldContainers: ContainerSpec[], newContainers: ContainerSpec[], mode: Mode = 'enforce') =>
    review(
      admissionReview({
        uid: UID,
        operation: 'UPDATE',
        oldObject: workload('Deployment', 'api', oldContainers),
        object: workload('Deployment', 'api', newContainers),
      }),
      options(mode),
    );

  it('warns, not denies, when the old object already had the same violation (image bump)', () => {
    const { review: out, decision } = update([UVICORN_4], [{ ...UVICORN_4, image: 'python:3.13' }]);
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: true,
        warnings: [
          'container "api" (already before this update): uvicorn starts 4 worker processes: `--workers 4`. ' +
            'Run one process per container and scale with replicas; exempt with annotation oneproc.dev/allow-multiple-workers.',
        ],
      }),
    );
    expect(decision).toMatchObject({ operation: 'UPDATE', verdict: 'warned', rules: ['uvicorn'] });
  });

  it('warns when the count goes down but stays above one', () => {
    const fewer = { ...UVICORN_4, args: ['main:app', '--workers', '2'] };
    expect(update([UVICORN_4], [fewer]).review.response.allowed).toBe(true);
  });

  it('denies a violation that gets worse', () => {
    const more = { ...UVICORN_4, args: ['main:app', '--workers', '8'] };
    const { review: out } = update([UVICORN_4], [more]);
    expect(out.response).toMatchObject({ allowed: false, status: { code: 403, reason: 'Forbidden' } });
    expect(out.response.status?.message).toContain('uvicorn starts 8 worker processes');
  });

  it('denies a new violation', () => {
    const { review: out } = update([UVICORN_1], [UVICORN_4]);
    expect(out.response).toMatchObject({ allowed: false, status: { code: 403 } });
  });

  it('denies the same violation in another container', () => {
    const { review: out } = update([UVICORN_4], [UVICORN_4, { ...UVICORN_4, name: 'admin' }]);
    expect(out.response.allowed).toBe(false);
    expect(out.response.status?.message).toMatch(
      /^container "admin" \(spec\.template\.spec\.containers\[1\]/,
    );
    expect(out.response.warnings).toEqual([
      expect.stringMatching(/^container "api" \(already before this update\)/),
    ]);
  });

  it('answers an UPDATE of an 18,000-container Deployment: the old violations warned, a worse one denied', () => {
    // This is about comparing 18,000 findings with 18,000 old ones in linear time. The review's wall-clock
    // budget (one second, src/shell/budget.ts) is a backstop that a loaded test machine may reach before
    // the last container; it is given room here so the answer does not depend on the machine's load.
    const roomy: CheckObject = (object, opts) =>
      checkObject(object, { ...opts, budget: new WorkBudget({ timeMs: 600_000 }) });
    const containers = (workers: (i: number) => string): ContainerSpec[] =>
      Array.from({ length: 18_000 }, (_, i) => ({
        name: `c${i}`,
        command: ['uvicorn'],
        args: ['main:app', '--workers', workers(i)],
      }));
    const oldObject = workload(
      'Deployment',
      'api',
      containers(() => '4'),
    );
    const bump = review(
      admissionReview({
        uid: UID,
        operation: 'UPDATE',
        oldObject,
        object: workload(
          'Deployment',
          'api',
          containers(() => '4'),
        ),
      }),
      options('enforce', roomy),
    );
    expect(bump.review.response.allowed).toBe(true);
    const warnings = bump.review.response.warnings ?? [];
    expect(warnings[0]).toMatch(/^container "c0" \(already before this update\): uvicorn starts 4/);
    expect(warnings.at(-1)).toBe(`…and ${18_000 - warnings.length + 1} more oneproc findings (not shown)`);
    const worse = review(
      admissionReview({
        uid: UID,
        operation: 'UPDATE',
        oldObject,
        object: workload(
          'Deployment',
          'api',
          containers((i) => (i === 17_999 ? '8' : '4')),
        ),
      }),
      options('enforce', roomy),
    );
    expect(worse.review.response.allowed).toBe(false);
    expect(worse.review.response.status?.message).toMatch(
      /^container "c17999" \(spec\.template\.spec\.containers\[17999\]\.args\[2\]\): uvicorn starts 8/,
    );
  });

  it('reads each old finding a bounded number of times, however many containers there are', () => {
    // Every property read of an old finding is counted: comparing each new finding with each old one
    // reads them n² times.
    let reads = 0;
    const counted = (finding: Finding): Finding =>
      new Proxy(finding, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver);
        },
      });
    const n = 2_000;
    const specs: ContainerSpec[] = Array.from({ length: n }, (_, i) => ({ ...UVICORN_4, name: `c${i}` }));
    const oldObject = workload('Deployment', 'api', specs);
    const check: CheckObject = (object, opts) => {
      const findings = checkObject(object, opts);
      return object === oldObject ? findings.map(counted) : findings;
    };
    const body = admissionReview({
      uid: UID,
      operation: 'UPDATE',
      oldObject,
      object: workload('Deployment', 'api', specs),
    });
    const { review: out } = review(body, options('enforce', check));
    expect(out.response.allowed).toBe(true);
    expect(reads).toBeGreaterThanOrEqual(n);
    expect(reads).toBeLessThanOrEqual(10 * n);
  });

  it('treats an UPDATE without oldObject like a CREATE', () => {
    const object = workload('Deployment', 'api', [UVICORN_4]);
    const { review: out } = review(
      admissionReview({ uid: UID, operation: 'UPDATE', object }),
      options('enforce'),
    );
    expect(out.response.allowed).toBe(false);
  });
});

describe('review: a container that cannot be judged is denied in enforce mode (fail closed)', () => {
  /** A server rule whose decision cannot be read: the engine reports the container as `internal`. */
  const breaking: ServerRule = {
    id: 'breaking',
    title: 'Breaking',
    category: 'web',
    recognise: (cmd) => cmd.argv[0]?.text === 'breaking-server',
    decide: () =>
      ({
        get outcome(): never {
          throw new RangeError('Invalid string length');
        },
      }) as never,
    fix: () => '',
  };
  const engine: CheckObject = (object, opts) => checkObject(object, { ...opts, rules: [breaking, ...RULES] });
  const BREAKING: ContainerSpec = { name: 'api', command: ['breaking-server', '--workers', '4'] };
  const INTERNAL =
    'oneproc failed to check this container (RangeError: Invalid string length); please report this input.';
  const DENY_ADVICE =
    ' In enforce mode a container that cannot be judged is denied. To admit it, annotate the workload or its ' +
    'pod template with oneproc.dev/allow-multiple-workers: "<reason>", or label the namespace oneproc.dev/mode=warn.';

  /** A finding of the work budget (rule `limit`), as the engine reports an input too large to judge. */
  const LIMIT: Finding = {
    rule: 'limit',
    category: 'web',
    severity: 'warning',
    message:
      'the words of this container exceed 2 MiB (the kernel limit of one exec); oneproc stopped reading.',
    path: 'spec.template.spec.containers[0].args',
    workers: null,
    origin: { kind: 'Deployment', namespace: 'shop', name: 'api', container: 'api' },
  };
  const limited: CheckObject = () => [LIMIT];

  it('denies a container on which the engine failed, saying why and how to exempt it', () => {
    const object = workload('Deployment', 'api', [BREAKING, UVICORN_1]);
    expect(checkObject(object, { now: NOW, rules: [breaking] })).toEqual([
      expect.objectContaining({ rule: 'internal', severity: 'warning', message: INTERNAL }),
    ]);
    const { review: out, decision } = review(
      admissionReview({ uid: UID, object }),
      options('enforce', engine),
    );
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message: `container "api" (spec.template.spec.containers[0]): oneproc could not judge this container: ${INTERNAL}${DENY_ADVICE}`,
        },
      }),
    );
    expect(decision).toMatchObject({ verdict: 'denied', rules: ['internal'] });
  });

  it('denies a container over the work budget (rule limit)', () => {
    const object = workload('Deployment', 'api', [UVICORN_1]);
    const { review: out, decision } = review(
      admissionReview({ uid: UID, object }),
      options('enforce', limited),
    );
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message: `container "api" (spec.template.spec.containers[0].args): oneproc could not judge this container: ${LIMIT.message}${DENY_ADVICE}`,
        },
      }),
    );
    expect(decision).toMatchObject({ verdict: 'denied', rules: ['limit'] });
  });

  it('warns, and admits, in warn mode', () => {
    const object = workload('Deployment', 'api', [BREAKING]);
    expect(review(admissionReview({ uid: UID, object }), options('warn', engine)).review).toEqual(
      envelope({
        uid: UID,
        allowed: true,
        warnings: [
          'container "api": oneproc could not judge this container: oneproc failed to check this container ' +
            '(RangeError: Invalid string length); please report this input. Enforce mode denies it; exempt with ' +
            'annotation oneproc.dev/allow-multiple-workers.',
        ],
      }),
    );
    expect(review(admissionReview({ uid: UID, object }), options('warn', limited)).review).toEqual(
      envelope({
        uid: UID,
        allowed: true,
        warnings: [
          'container "api": oneproc could not judge this container: the words of this container exceed 2 MiB ' +
            '(the kernel limit of one exec); oneproc stopped reading. Enforce mode denies it; exempt with ' +
            'annotation oneproc.dev/allow-multiple-workers.',
        ],
      }),
    );
  });

  it('lets an object that could not be judged before be updated (the ratchet), with a warning', () => {
    for (const check of [engine, limited]) {
      const { review: out } = review(
        admissionReview({
          uid: UID,
          operation: 'UPDATE',
          oldObject: workload('Deployment', 'api', [BREAKING]),
          object: workload('Deployment', 'api', [{ ...BREAKING, image: 'python:3.13' }]),
        }),
        options('enforce', check),
      );
      expect(out.response.allowed).toBe(true);
      expect(out.response.warnings).toEqual([
        expect.stringMatching(
          /^container "api" \(already before this update\): oneproc could not judge this container: /,
        ),
      ]);
    }
    // A container that could be judged before and cannot now is denied.
    const { review: out } = review(
      admissionReview({
        uid: UID,
        operation: 'UPDATE',
        oldObject: workload('Deployment', 'api', [UVICORN_1]),
        object: workload('Deployment', 'api', [BREAKING]),
      }),
      options('enforce', engine),
    );
    expect(out.response.allowed).toBe(false);
  });

  it('admits it with the exemption annotation', () => {
    const object = workload('Deployment', 'api', [BREAKING], {
      'oneproc.dev/allow-multiple-workers': 'generated entrypoint, checked by hand',
    });
    const { review: out, decision } = review(
      admissionReview({ uid: UID, object }),
      options('enforce', engine),
    );
    expect(out).toEqual(envelope({ uid: UID, allowed: true }));
    expect(decision).toMatchObject({ verdict: 'allowed', exempted: ['internal'] });
  });

  it('admits with a warning, in warn mode, a request oneproc failed to review', () => {
    const check: CheckObject = () => {
      throw new TypeError('boom');
    };
    const body = JSON.stringify(admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_4]) }));
    const { review: out, decision } = reviewBody(body, options('warn', check));
    expect(out).toEqual(
      envelope({
        uid: UID,
        allowed: true,
        warnings: ['oneproc failed to review this request: boom; warn mode admits the request.'],
      }),
    );
    expect(decision).toMatchObject({ verdict: 'warned', rules: ['internal'] });
  });
});

describe('review: every bad input is answered with an AdmissionReview', () => {
  const err = (uid: string, code: number, reason: string, message: string) =>
    envelope({ uid, allowed: false, status: { code, reason, message } });

  it.each([
    ['an empty body', '', err('', 400, 'BadRequest', 'request body is empty')],
    ['blank space', ' \n ', err('', 400, 'BadRequest', 'request body is empty')],
    [
      'broken JSON, uid salvaged',
      `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"${UID}","kind":{`,
      err(UID, 400, 'BadRequest', 'request body is not valid JSON: unexpected end of input at position 125'),
    ],
    [
      'broken JSON without a uid',
      '{"kind": AdmissionReview}',
      err('', 400, 'BadRequest', 'request body is not valid JSON: unexpected character at position 9'),
    ],
    ['a JSON array', '[1,2]', err('', 400, 'BadRequest', 'expected an AdmissionReview object')],
    ['a JSON number', '42', err('', 400, 'BadRequest', 'expected an AdmissionReview object')],
    ['JSON null', 'null', err('', 400, 'BadRequest', 'expected an AdmissionReview object')],
    [
      'apiVersion v1beta1',
      JSON.stringify({ ...admissionReview({ uid: UID }), apiVersion: 'admission.k8s.io/v1beta1' }),
      err(
        UID,
        400,
        'BadRequest',
        'expected apiVersion "admission.k8s.io/v1" and kind "AdmissionReview", got "admission.k8s.io/v1beta1" and "AdmissionReview"',
      ),
    ],
    [
      'a wrong kind',
      JSON.stringify({ ...admissionReview({ uid: UID }), kind: 'ConversionReview' }),
      err(
        UID,
        400,
        'BadRequest',
        'expected apiVersion "admission.k8s.io/v1" and kind "AdmissionReview", got "admission.k8s.io/v1" and "ConversionReview"',
      ),
    ],
    [
      'no request',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      err('', 400, 'BadRequest', 'AdmissionReview has no request'),
    ],
    [
      'a request without uid',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { operation: 'CREATE' },
      }),
      err('', 400, 'BadRequest', 'request.uid must be a non-empty string'),
    ],
    [
      'an unknown operation',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: UID, operation: 'PATCH' },
      }),
      err(UID, 400, 'BadRequest', 'request.operation "PATCH" is not one of CREATE, UPDATE, DELETE, CONNECT'),
    ],
    [
      'an object of the wrong shape',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: UID, operation: 'CREATE', object: 'spec: {}' },
      }),
      err(UID, 400, 'BadRequest', 'request.object must be a Kubernetes object, got a string of 8 characters'),
    ],
    [
      'a CREATE without object',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: UID, operation: 'CREATE' },
      }),
      err(UID, 400, 'BadRequest', 'request.object must be a Kubernetes object, got nothing'),
    ],
  ])('%s', (_name, body, expected) => {
    const result = reviewBody(body, options('enforce'));
    expect(result.review).toEqual(expected);
    expect(result.decision.verdict).toBe('errored');
  });

  it('never quotes the body of a request that is not JSON, in the answer or the decision logged', () => {
    const secret = 'c2VjcmV0LXRva2VuLXZhbHVl';
    const bodies: [string, string][] = [
      [
        `{"request":{"uid":"${UID}","object":{"data":{"token":${secret}}}}}`,
        'unexpected character at position 83',
      ],
      [
        `{"request":{"uid":"${UID}","object":{"data":{"token":"${secret}`,
        'unexpected end of input at position 108',
      ],
      [
        `{"request":{"uid":"${UID}","object":{"data":"${secret}\u0001"}}}`,
        'unexpected character at position 99',
      ],
      [`${secret}`, 'unexpected character at position 0'],
      [`{"a":1} ${secret}`, 'unexpected character at position 8'],
      [`{"token":"${secret}\\q"}`, 'unexpected character at position 35'],
    ];
    for (const [body, where] of bodies) {
      const result = reviewBody(body, options('enforce'));
      expect(result.review.response.status).toEqual({
        code: 400,
        reason: 'BadRequest',
        message: `request body is not valid JSON: ${where}`,
      });
      expect(JSON.stringify(result)).not.toContain(secret.slice(0, 6));
    }
  });

  it('does not quote body text it expected to be a name', () => {
    const value = 'AKIA-secret value with spaces';
    const body = JSON.stringify({ ...admissionReview({ uid: UID }), apiVersion: value });
    const result = reviewBody(body, options('enforce'));
    expect(result.review).toEqual(
      err(
        UID,
        400,
        'BadRequest',
        'expected apiVersion "admission.k8s.io/v1" and kind "AdmissionReview", got a string of 29 characters and "AdmissionReview"',
      ),
    );
    expect(JSON.stringify(result)).not.toContain('AKIA');
  });

  it.each([
    [
      'a Pod sent as a Deployment',
      'Deployment',
      'Pod',
      'request.object.kind "Pod" does not match request.kind.kind "Deployment"',
    ],
    [
      'a Deployment sent as a Pod',
      'Pod',
      'Deployment',
      'request.object.kind "Deployment" does not match request.kind.kind "Pod"',
    ],
    [
      'a ConfigMap sent as a Pod',
      'Pod',
      'ConfigMap',
      'request.object.kind "ConfigMap" does not match request.kind.kind "Pod"',
    ],
    [
      'a kind that is not a string',
      'Pod',
      7,
      'request.object.kind number 7 does not match request.kind.kind "Pod"',
    ],
  ])(
    'answers %s as a bad request (object.kind must agree with request.kind)',
    (_name, requestKind, objectKind, message) => {
      const body = admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_4]) });
      const request = body.request as Record<string, unknown>;
      request.kind = { group: '', version: 'v1', kind: requestKind };
      (request.object as Record<string, unknown>).kind = objectKind;
      for (const mode of ['enforce', 'warn'] as const) {
        const { review: out, decision } = review(body, options(mode));
        expect(out).toEqual(err(UID, 400, 'BadRequest', message));
        expect(decision).toMatchObject({ verdict: 'errored', error: message });
      }
    },
  );

  it('answers an UPDATE whose oldObject is of another kind as a bad request', () => {
    const body = admissionReview({
      uid: UID,
      operation: 'UPDATE',
      object: workload('Deployment', 'api', [UVICORN_4]),
      oldObject: { ...workload('Deployment', 'api', [UVICORN_4]), kind: 'StatefulSet' },
    });
    expect(review(body, options('enforce')).review).toEqual(
      err(
        UID,
        400,
        'BadRequest',
        'request.oldObject.kind "StatefulSet" does not match request.kind.kind "Deployment"',
      ),
    );
  });

  it('answers 500 inside the review, uid echoed, when the engine throws', () => {
    const check: CheckObject = () => {
      throw new TypeError('boom');
    };
    const body = JSON.stringify(admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_4]) }));
    expect(reviewBody(body, options('enforce', check)).review).toEqual(
      err(UID, 500, 'InternalError', 'oneproc failed to review this request: boom'),
    );
  });

  it('checks a Pod whose object misses its kind by the request kind', () => {
    const pod = workload('Pod', 'api', [UVICORN_4]);
    delete pod.kind;
    const { review: out } = review(admissionReview({ uid: UID, object: pod }), options('enforce'));
    expect(out.response.allowed).toBe(false);
  });

  it('salvages the request uid, not a metadata uid, from broken JSON', () => {
    expect(salvageUid('{"request":{"uid":"a\\"b","object":{"metadata":{"uid":"x"}')).toBe('a"b');
    expect(salvageUid('{"request":{"kind":{},"object":{"metadata":{"uid":"x"}')).toBe('x');
    expect(salvageUid('no uid here')).toBe('');
  });
});

describe('review: warnings stay within what kubectl and the API server show', () => {
  it('keeps each warning ≤ 256 characters and all of them ≤ 4 KiB, summarising the rest', () => {
    const containers: ContainerSpec[] = Array.from({ length: 60 }, (_, i) => ({
      name: `worker-${'x'.repeat(40)}-${i}`,
      command: ['gunicorn', '-w', `$(WORKERS_${'Y'.repeat(80)})`, 'app:app'],
      env: [
        { name: `WORKERS_${'Y'.repeat(80)}`, valueFrom: { secretKeyRef: { name: 's', key: 'workers' } } },
      ],
    }));
    const object = workload('Deployment', 'api', containers);
    const { review: out } = review(admissionReview({ uid: UID, object }), options('enforce'));
    const warnings = out.response.warnings ?? [];
    expect(out.response.allowed).toBe(true);
    expect(warnings.length).toBeGreaterThan(5);
    expect(warnings.length).toBeLessThan(60);
    for (const w of warnings) expect([...w].length).toBeLessThanOrEqual(MAX_WARNING_CHARS);
    expect(warnings.reduce((n, w) => n + Buffer.byteLength(w), 0)).toBeLessThanOrEqual(MAX_WARNINGS_BYTES);
    expect(warnings.at(-1)).toBe(`…and ${60 - warnings.length + 1} more oneproc findings (not shown)`);
    expect(warnings[0]).toMatch(/^container "worker-x+-0": gunicorn worker count cannot be known here: `-w/);
    expect(warnings[0]).toMatch(/\$\(WORKERS_Y+… Run one process per container/);
  });

  it('removes control characters that would break the Warning header', () => {
    const check: CheckObject = () => [
      {
        rule: 'uvicorn',
        category: 'web',
        severity: 'warning',
        message: 'line one\r\nline\ttwo.',
        path: 'spec.containers[0]',
        workers: null,
        origin: { container: 'api' },
      },
    ];
    const body = admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_1]) });
    expect(review(body, options('enforce', check)).review.response.warnings).toEqual([
      'container "api": line one  line two. Run one process per container and scale with replicas; exempt with annotation oneproc.dev/allow-multiple-workers.',
    ]);
  });
});
