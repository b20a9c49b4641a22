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
