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

for (const [name, body] of Object.entries(cases)) {
  for (let i = 0; i < 5000; i++) JSON.stringify(reviewBody(body, options).review); // warm up
  const perOp: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) JSON.stringify(reviewBody(body, options).review);
    perOp.push(Number(process.hrtime.bigint() - started) / 1000 / BATCH);
  }
  perOp.sort((a, b) => a - b);
  const median = perOp[Math.floor(perOp.length / 2)];
  process.stdout.write(
    `${name.padEnd(42)} ${String(body.length).padStart(5)} B  median ${median.toFixed(1)} µs/review ` +
      `(best batch ${perOp[0].toFixed(1)}, worst ${perOp.at(-1)?.toFixed(1)}; goal ≤ 50 µs: ${(median / 50).toFixed(2)}×)\n`,
  );
}
