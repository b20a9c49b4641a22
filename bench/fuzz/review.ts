/**
 * The review function under 1,000,000 random and mutated AdmissionReviews (the generators of
 * test/webhook/fuzz.test.ts): counts throws (must be 0) and malformed answers, and reports the time
 * per input. On demand only:
 *
 *   npx tsx bench/fuzz/review.ts [RUNS] [SEED]        (default 1000000, 20261126)
 */
import fc from 'fast-check';
import { checkObject } from '../../src/manifest';
import { reviewBody } from '../../src/webhook/review';
import { mutatedBody } from '../../test/webhook/arbitraries';

const runs = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 20261126);
const options = { mode: 'enforce' as const, check: checkObject, now: () => new Date('2026-11-26T00:00:00Z') };
const times: number[] = [];
let throws = 0;
let malformed = 0;
// The slowest inputs, re-timed alone at the end to tell a slow input from a pause of the machine.
let slowest: { micros: number; body: string }[] = [];
const started = Date.now();

fc.assert(
  fc.property(mutatedBody, (body) => {
    const t0 = process.hrtime.bigint();
    try {
      const out = reviewBody(body, options).review;
      const json = JSON.stringify(out);
      if (
        out.apiVersion !== 'admission.k8s.io/v1' ||
        typeof out.response.uid !== 'string' ||
        json.length === 0
      )
        malformed++;
    } catch (err) {
      throws++;
      process.stderr.write(`THROW on ${JSON.stringify(body).slice(0, 300)}: ${String(err)}\n`);
    }
    const micros = Number(process.hrtime.bigint() - t0) / 1000;
    times.push(micros);
    if (slowest.length < 5 || micros > slowest[slowest.length - 1].micros) {
      slowest = [...slowest, { micros, body }].sort((a, b) => b.micros - a.micros).slice(0, 5);
    }
    if (times.length % 100_000 === 0) process.stderr.write(`${times.length} inputs…\n`);
  }),
  { numRuns: runs, seed },
);

times.sort((a, b) => a - b);
const retimed = slowest.map(({ body }) => {
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    JSON.stringify(reviewBody(body, options).review);
    runs.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return runs.sort((a, b) => a - b)[10];
});
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
process.stdout.write(
  `${times.length} inputs (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(0)} s: ${throws} throws, ${malformed} malformed answers\n` +
    `time per input: median ${q(0.5)} µs, p99 ${q(0.99)} µs, p99.99 ${q(0.9999)} µs, max ${slowest[0]?.micros.toFixed(0)} µs\n` +
    `the 5 slowest inputs (${slowest.map((s) => s.body.length).join(', ')} chars) re-timed alone: ` +
    `${retimed.map((m) => m.toFixed(0)).join(', ')} µs (median of 20 runs each)\n`,
);
process.exitCode = throws + malformed === 0 ? 0 : 1;
