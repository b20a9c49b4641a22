/**
 * fast-check generators of AdmissionReviews: plausible ones (workloads running servers with worker
 * flags, exemptions, updates) with random subtrees swapped in, and raw bodies that are truncated,
 * spliced or not JSON at all. Shared by the fuzz test and `bench/fuzz/review.ts`.
 */
import fc from 'fast-check';

const KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
];
const WORDS = [
  'uvicorn',
  'gunicorn',
  'python',
  '-m',
  'main:app',
  'app:app',
  '--workers',
  '-w',
  '4',
  '1',
  '0',
  '-1',
  '$(WORKERS)',
  '$(nproc)',
  'sh',
  '-c',
  'exec uvicorn main:app --workers 4',
  'gunicorn -w "$((2*$(nproc)+1))" app:app',
  'pm2-runtime',
  '-i',
  'max',
  'celery',
  'worker',
  '--concurrency',
  'puma',
  'uwsgi',
  '--processes',
  'node',
  'server.js',
  '--reload',
];

const word = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.string() },
);

const env = fc.array(
  fc.record(
    {
      name: fc.constantFrom('WEB_CONCURRENCY', 'WORKERS', 'UVICORN_WORKERS', 'GUNICORN_CMD_ARGS', 'X'),
      value: fc.oneof(fc.constantFrom('4', '1', '-w 4', '$(WORKERS)'), fc.string()),
      valueFrom: fc.constant({ secretKeyRef: { name: 's', key: 'k' } }),
    },
    { requiredKeys: ['name'] },
  ),
  { maxLength: 3 },
);

const container = fc.record(
  {
    name: fc.oneof(fc.constantFrom('api', 'web', 'worker'), fc.string()),
    image: fc.constant('python:3.12'),
    command: fc.array(word, { maxLength: 4 }),
    args: fc.array(word, { maxLength: 6 }),
    env,
    restartPolicy: fc.constant('Always'),
  },
  { requiredKeys: ['name'] },
);

const annotations = fc.dictionary(
  fc.constantFrom('oneproc.dev/allow-multiple-workers', 'oneproc.dev/allow-until', 'other'),
  fc.oneof(fc.constantFrom('legacy', '', '2026-12-31', '2020-01-01', 'not a date'), fc.string()),
);

const podSpec = fc.record({
  containers: fc.array(container, { maxLength: 3 }),
  initContainers: fc.array(container, { maxLength: 1 }),
});

const object = fc
  .tuple(fc.constantFrom(...KINDS), fc.string(), annotations, podSpec, annotations)
  .map(([kind, name, objectAnnotations, spec, templateAnnotations]) => {
    const metadata = { name, namespace: 'shop', annotations: objectAnnotations };
    const template = { metadata: { annotations: templateAnnotations }, spec };
    if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec };
    if (kind === 'CronJob')
      return { apiVersion: 'batch/v1', kind, metadata, spec: { jobTemplate: { spec: { template } } } };
    return { apiVersion: 'apps/v1', kind, metadata, spec: { template } };
  });

/** Replaces one random subtree of a value with random JSON (or deletes it). */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[path[0] % keys.length];
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value };
  if (replacement === undefined && path.length === 1) delete copy[key];
  else copy[key] = mutate(copy[key], path.slice(1), replacement);
  return copy;
}

const plausible = fc
  .record({
    uid: fc.oneof({ weight: 6, arbitrary: fc.uuid() }, fc.string(), fc.constant(undefined), fc.integer()),
    operation: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT') },
      fc.string(),
    ),
    object,
    oldObject: fc.option(object),
    dryRun: fc.boolean(),
    subResource: fc.option(fc.constantFrom('status', 'scale', '')),
  })
  .map((r) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: r.uid,
      kind: { group: 'apps', version: 'v1', kind: r.object.kind },
      namespace: 'shop',
      operation: r.operation,
      object: r.object,
      oldObject: r.oldObject,
      dryRun: r.dryRun,
      ...(r.subResource === null ? {} : { subResource: r.subResource }),
    },
  }));

/** AdmissionReviews as parsed JSON: plausible, plausible with a random subtree replaced, or any JSON. */
export const admissionArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: plausible },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        plausible,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.option(fc.jsonValue(), { nil: undefined }),
      )
      .map(([review, path, replacement]) => mutate(review, path, replacement)),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

/** Request bodies: valid JSON, JSON cut or spliced at random places, random text. */
export const mutatedBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: admissionArbitrary.map((v) => JSON.stringify(v) ?? '') },
  {
    weight: 3,
    arbitrary: fc
      .tuple(plausible, fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([review, at, length, insert]) => {
        const text = JSON.stringify(review);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + (length % 16));
      }),
  },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.json() },
);

// ─── Hostile shapes: inputs that once took a replica down or slipped past enforce mode ──────────────

/** A hostile AdmissionReview body and the name of its shape (for reports). */
export interface HostileBody {
  readonly shape: string;
  readonly body: string;
}

const podReview = (
  containers: unknown[],
  extra: {
    operation?: string;
    oldContainers?: unknown[];
    username?: string;
    ownerReferences?: unknown[];
  } = {},
): string => {
  const metadata: Record<string, unknown> = { name: 'hostile', namespace: 'shop' };
  if (extra.ownerReferences) metadata.ownerReferences = extra.ownerReferences;
  const pod = (list: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: list } });
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'b7e3c2a0-0000-4000-8000-00000000beef',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: 'shop',
      operation: extra.operation ?? 'CREATE',
      userInfo: { username: extra.username ?? 'jane@example.com' },
      object: pod(containers),
      oldObject: extra.oldContainers ? pod(extra.oldContainers) : null,
    },
  });
};

/**
 * The hostile shapes of a review, each sized by `scale` (1 = small enough to run a million times; the
 * sizes that once did harm are reached around scale 8–64): many env variables with `A=B cmd` prefixes,
 * a large UPDATE, doubling `$(VAR)` references, doubling shell words, one huge `sh -c` of plain words,
 * worker counts written as servers read them (`0000000000000004`, `1_0`, full-width digits), a kind that
 * disagrees with `request.kind`, a fake controller ownerReference, and bodies that are not JSON.
 */
export function hostileBody(scale = 1): fc.Arbitrary<HostileBody> {
  const n = (base: number) => Math.max(1, Math.round(base * scale));
  const count = fc.constantFrom('4', '0000000000000004', '1_0', '４', ' 4 ', '0x4', '04', '1'.repeat(20));
  return fc.oneof(
    fc
      .tuple(fc.integer({ min: 1, max: n(600) }), fc.integer({ min: 1, max: n(120) }))
      .map(([vars, cmds]) => ({
        shape: `env ${vars} vars + ${cmds} \`Q=1 cmd\``,
        body: podReview([
          {
            name: 'api',
            command: [
              'sh',
              '-c',
              `${Array.from({ length: cmds }, (_, i) => `Q${i}=1 true`).join('; ')}; exec uvicorn main:app --workers 4`,
            ],
            env: Array.from({ length: vars }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(16) })),
          },
        ]),
      })),
    fc.integer({ min: 1, max: n(2000) }).map((k) => {
      const containers = Array.from({ length: k }, (_, i) => ({
        name: `c${i}`,
        command: ['uvicorn', 'main:app', '--workers', i === k - 1 ? '8' : '4'],
      }));
      return {
        shape: `UPDATE of ${k} containers`,
        body: podReview(containers, {
          operation: 'UPDATE',
          oldContainers: containers.map((c) => ({
            ...c,
            command: ['uvicorn', 'main:app', '--workers', '4'],
          })),
        }),
      };
    }),
    fc
      .tuple(
        fc.integer({ min: 1, max: Math.min(24, 8 + Math.round(Math.log2(scale + 1) * 3)) }),
        fc.integer({ min: 1, max: 10 }),
      )
      .map(([depth, containers]) => {
        const env = [{ name: 'D0', value: 'ab' }];
        for (let i = 1; i <= depth; i++) env.push({ name: `D${i}`, value: `$(D${i - 1})$(D${i - 1})` });
        return {
          shape: `${containers} containers × ${depth} doubling $(VAR) references`,
          body: podReview(
            Array.from({ length: containers }, (_, c) => ({
              name: `c${c}`,
              command: ['gunicorn', '-w', `$(D${depth})`, 'app:app'],
              env,
            })),
          ),
        };
      }),
    fc.integer({ min: 1, max: Math.min(24, 8 + Math.round(Math.log2(scale + 1) * 3)) }).map((doublings) => ({
      shape: `sh -c with ${doublings} doublings of A=$A$A`,
      body: podReview([
        {
          name: 'api',
          command: [
            'sh',
            '-c',
            `A=${'w'.repeat(32)}; ${'A=$A$A; '.repeat(doublings)}exec uvicorn main:app --workers 4 $A`,
          ],
        },
      ]),
    })),
    fc.integer({ min: 1, max: n(8_000) }).map((words) => ({
      shape: `sh -c of ${words} plain words`,
      body: podReview([
        { name: 'api', command: ['sh', '-c', `echo ${'word '.repeat(words)}; exec gunicorn -w 4 app:app`] },
      ]),
    })),
    fc.tuple(count, fc.constantFrom('uvicorn', 'gunicorn', 'env', 'cmdargs')).map(([value, how]) => ({
      shape: `count ${JSON.stringify(value)} via ${how}`,
      body: podReview([
        how === 'uvicorn'
          ? { name: 'api', command: ['uvicorn', 'main:app', '--workers', value] }
          : how === 'gunicorn'
            ? { name: 'api', command: ['gunicorn', '-w', value, 'app:app'] }
            : how === 'env'
              ? { name: 'api', command: ['uvicorn', 'main:app'], env: [{ name: 'WEB_CONCURRENCY', value }] }
              : {
                  name: 'api',
                  command: ['gunicorn', 'app:app'],
                  env: [{ name: 'GUNICORN_CMD_ARGS', value: `-w ${value}` }],
                },
      ]),
    })),
    fc.constantFrom('Deployment', 'ConfigMap', '').map((kind) => {
      const body = JSON.parse(
        podReview([{ name: 'api', command: ['uvicorn', 'main:app', '--workers', '4'] }]),
      );
      body.request.object.kind = kind;
      return { shape: `object.kind ${JSON.stringify(kind)} in a Pod review`, body: JSON.stringify(body) };
    }),
    fc
      .tuple(
        fc.constantFrom(
          'jane@example.com',
          'system:kube-controller-manager',
          'system:serviceaccount:kube-system:replicaset-controller',
          'system:serviceaccount:kube-system:replicaset-controller ',
        ),
        fc.boolean(),
      )
      .map(([username, controller]) => ({
        shape: `owned Pod sent by ${JSON.stringify(username)}`,
        body: podReview([{ name: 'api', command: ['uvicorn', 'main:app', '--workers', '4'] }], {
          username,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller }],
        }),
      })),
    fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([at, insert]) => {
      const text = podReview([{ name: 'api', command: ['uvicorn', 'main:app', '--workers', '4'] }], {
        username: 'token:c2VjcmV0',
      });
      // Anywhere after the uid, which the answer must still echo.
      const from = text.indexOf('beef"') + 5;
      const i = from + (at % (text.length - from));
      return { shape: 'not JSON', body: `${text.slice(0, i)}${insert}\u0001${text.slice(i + 1)}` };
    }),
  );
}
