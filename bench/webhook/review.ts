/**
 * Decode + decide + encode per review, in process: `reviewBody` on the raw body (JSON.parse, the
 * engine over the object) and `JSON.stringify` of the answer, as the server does per request. Then the
 * rest of the request path that is not the review, piece by piece: the answer's encoding, the metrics
 * of a decision, and its log line (built, and written by the JSON log to a stream that discards it).
 *
 *   npx tsx bench/webhook/review.ts
 */

import { Writable } from 'node:stream';
import { checkObject } from '../../src/manifest';
import { JsonLog } from '../../src/webhook/log';
import { WebhookMetrics } from '../../src/webhook/metrics';
import { reviewBody } from '../../src/webhook/review';
import { decisionLogEntry } from '../../src/webhook/server';
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

// ─── The request path beyond the review ─────────────────────────────────────────────────────────
const body = cases['Deployment, 1 worker (allowed)'];
const result = reviewBody(body, options);
const metrics = new WebhookMetrics({ defaultMetrics: false });
const sink = new Writable({
  write(_chunk, _encoding, callback) {
    callback();
  },
});
const log = new JsonLog({ stream: sink });
const encode = () => {
  const json = JSON.stringify(result.review);
  return Buffer.byteLength(json);
};
const observe = () => metrics.observe(result.decision, 0.000123);
const reviewOnly = () => reviewBody(body, options);

/** Like `perOp`, yielding to the event loop every 100 lines so that the log writes what it batched. */
async function perLogLine(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i += 100) {
    for (let j = 0; j < 100; j++) log.log(decisionLogEntry(result.decision, 0.000123));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(process.hrtime.bigint() - started) / 1000 / BATCH;
}

async function split(): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    encode();
    observe();
    reviewOnly();
  }
  const times: Record<string, number[]> = { review: [], encode: [], metrics: [], log: [] };
  for (let b = 0; b < BATCHES; b++) {
    times.review.push(perOp(reviewOnly));
    times.encode.push(perOp(encode));
    times.metrics.push(perOp(observe));
    times.log.push(await perLogLine());
  }
  process.stdout.write(
    `\nthe request path of the first case, piece by piece (median of ${BATCHES} batches of ${BATCH}):\n` +
      `  review (parse, engine, answer object)  ${median(times.review).toFixed(2)} µs\n` +
      `  answer encoding (JSON + length)        ${median(times.encode).toFixed(2)} µs\n` +
      `  metrics (counter + histogram)          ${median(times.metrics).toFixed(2)} µs\n` +
      `  log line (entry, JSON, batched write)  ${median(times.log).toFixed(2)} µs\n`,
  );
}

split().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
