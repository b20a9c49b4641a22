/**
 * Decode + decide + encode per review, in process: `reviewBody` on the raw body (JSON.parse, the
 * engine over the object) and `JSON.stringify` of the answer, as the server does per request.
 *
 *   npx tsx bench/webhook/review.ts
 */
import { checkObject } from '../../src/manifest';
import { reviewBody } from '../../src/webhook/review';
import { admissionReview, UVICORN_1, UVICORN_4, workload } from '../../test/webhook/helpers';

const cases: Record<string, Buffer> = {
  'Deployment, 1 worker (allowed)': Buffer.from(
    JSON.stringify(admissionReview({ object: workload('Deployment', 'api', [UVICORN_1]) })),
  ),
  'Deployment, --workers 4 (denied)': Buffer.from(
    JSON.stringify(admissionReview({ object: workload('Deployment', 'api', [UVICORN_4]) })),
  ),
  'Deployment UPDATE, old and new (warned)': Buffer.from(
    JSON.stringify(
      admissionReview({
        operation: 'UPDATE',
        object: workload('Deployment', 'api', [{ ...UVICORN_4, image: 'python:3.13' }]),
        oldObject: workload('Deployment', 'api', [UVICORN_4]),
      }),
    ),
  ),
  'Pod, sh -c script (allowed)': Buffer.from(
    JSON.stringify(
      admissionReview({
        object: workload('Pod', 'api', [
          {
            name: 'api',
            command: ['sh', '-c', 'python manage.py migrate && exec gunicorn -b :8000 app.wsgi'],
          },
        ]),
      }),
    ),
  ),
};

const options = { mode: 'enforce' as const, check: checkObject };
const BATCH = 2000;
const BATCHES = 25;

/** What the parse-and-echo baseline responder does per request: the floor for any correct webhook. */
function parseAndEcho(body: Buffer): string {
  const uid = JSON.parse(body.toString('utf8')).request.uid;
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: true },
  });
}

/** Batches of ours and of the baseline alternate, so a busy machine slows both alike. */
function perOp(fn: () => unknown): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) fn();
  return Number(process.hrtime.bigint() - started) / 1000 / BATCH;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

process.stdout.write(`per review: decode + decide + encode (median of ${BATCHES} batches of ${BATCH})\n`);
for (const [name, body] of Object.entries(cases)) {
  const ours = () => JSON.stringify(reviewBody(body, options).review);
  const echo = () => parseAndEcho(body);
  for (let i = 0; i < 5000; i++) {
    ours();
    echo();
  }
  const oursTimes: number[] = [];
  const echoTimes: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    oursTimes.push(perOp(ours));
    echoTimes.push(perOp(echo));
  }
  const m = median(oursTimes);
  const e = median(echoTimes);
  process.stdout.write(
    `${name.padEnd(42)} ${String(body.length).padStart(5)} B  ${m.toFixed(1).padStart(6)} µs ` +
      `(goal ≤ 50 µs: ${(m / 50).toFixed(2)}×; parse-and-echo ${e.toFixed(1)} µs, +${(m - e).toFixed(1)} µs)\n`,
  );
}
