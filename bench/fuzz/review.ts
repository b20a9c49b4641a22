/**
 * The review function under 1,000,000 random, mutated and hostile AdmissionReviews (the generators of
 * test/webhook/arbitraries.ts): counts throws (must be 0), malformed answers (must be 0) and containers
 * that could not be judged yet were admitted in enforce mode (must be 0), and reports the time per input,
 * the slowest inputs (re-timed alone, to tell a slow input from a pause of the machine), the largest
 * input and the peak RSS. One input in HOSTILE_EVERY is a hostile shape (many env variables with
 * `A=B cmd` prefixes, a large UPDATE, doubling `$(VAR)` references and shell words, a huge `sh -c`,
 * counts such as `1_0` or `0000000000000004`, a kind that disagrees with `request.kind`, a fake owner,
 * bodies that are not JSON), sized by HOSTILE_SCALE (1: up to 2,000 containers, 600 env variables,
 * 8,000 words). On demand only:
 *
 *   npx tsx bench/fuzz/review.ts [RUNS] [SEED]        (default 1000000, 20261126)
 *   HOSTILE_EVERY=100 HOSTILE_SCALE=1                 (the defaults)
 */
import fc from 'fast-check';
import { checkObject } from '../../src/manifest';
import { reviewBody, UNJUDGED_RULES } from '../../src/webhook/review';
import { hostileBody, mutatedBody } from '../../test/webhook/arbitraries';

const runs = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 20261126);
const hostileEvery = Number(process.env.HOSTILE_EVERY ?? 100);
const hostileScale = Number(process.env.HOSTILE_SCALE ?? 1);
const options = { mode: 'enforce' as const, check: checkObject, now: () => new Date('2026-11-26T00:00:00Z') };

interface Timed {
  micros: number;
  shape: string;
  body: string;
}

const input = fc.oneof(
  { weight: hostileEvery - 1, arbitrary: mutatedBody.map((body) => ({ shape: 'random or mutated', body })) },
  { weight: 1, arbitrary: hostileBody(hostileScale) },
);

const times: number[] = [];
let throws = 0;
let malformed = 0;
let failOpen = 0;
let hostile = 0;
let slowest: Timed[] = [];
let largest: Timed = { micros: 0, shape: '', body: '' };
let peakRss = 0;
const started = Date.now();

fc.assert(
  fc.property(input, ({ shape, body }) => {
    if (shape !== 'random or mutated') hostile++;
    const t0 = process.hrtime.bigint();
    try {
      const { review: out, decision } = reviewBody(body, options);
      const json = JSON.stringify(out);
      if (
        out.apiVersion !== 'admission.k8s.io/v1' ||
        typeof out.response.uid !== 'string' ||
        json.length === 0
      )
        malformed++;
      // Fail closed: a CREATE with a container that could not be judged is never admitted in enforce mode.
      if (
        out.response.allowed &&
        decision.operation === 'CREATE' &&
        decision.rules.some((rule) => UNJUDGED_RULES.has(rule))
      ) {
        failOpen++;
        process.stderr.write(`ADMITTED UNJUDGED (${shape}): ${body.slice(0, 300)}\n`);
      }
    } catch (err) {
      throws++;
      process.stderr.write(`THROW on ${shape}: ${JSON.stringify(body).slice(0, 300)}: ${String(err)}\n`);
    }
    const micros = Number(process.hrtime.bigint() - t0) / 1000;
    times.push(micros);
    if (slowest.length < 5 || micros > slowest[slowest.length - 1].micros) {
      slowest = [...slowest, { micros, shape, body }].sort((a, b) => b.micros - a.micros).slice(0, 5);
    }
    if (body.length > largest.body.length) largest = { micros, shape, body };
    if (times.length % 10_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (times.length % 100_000 === 0) process.stderr.write(`${times.length} inputs…\n`);
  }),
  { numRuns: runs, seed },
);

times.sort((a, b) => a - b);
const alone = ({ body }: Timed): number => {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    JSON.stringify(reviewBody(body, options).review);
    runs.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return runs.sort((a, b) => a - b)[2];
};
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
const ms = (micros: number) => `${(micros / 1000).toFixed(1)} ms`;
process.stdout.write(
  `${times.length} inputs (seed ${seed}; ${hostile} hostile, scale ${hostileScale}) in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
    `${throws} throws, ${malformed} malformed answers, ${failOpen} unjudged containers admitted\n` +
    `time per input: median ${q(0.5)} µs, p99 ${q(0.99)} µs, p99.99 ${q(0.9999)} µs, max ${ms(slowest[0]?.micros ?? 0)}\n` +
    `peak RSS ${(peakRss / 1048576).toFixed(0)} MiB\n` +
    'the 5 slowest inputs, re-timed alone (median of 5 runs):\n' +
    slowest
      .map(
        (s) =>
          `  ${ms(s.micros)} in the run, ${ms(alone(s))} alone: ${s.shape} (${s.body.length} characters)\n`,
      )
      .join('') +
    `the largest input: ${largest.shape} (${largest.body.length} characters), ${ms(largest.micros)} in the run, ${ms(alone(largest))} alone\n`,
);
process.exitCode = throws + malformed + failOpen === 0 ? 0 : 1;
