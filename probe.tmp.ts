import fc from 'fast-check';
import { checkObject } from './src/manifest';
import { reviewBody } from './src/webhook/review';
import { hostileBody } from './test/webhook/arbitraries';
const scale = Number(process.argv[2] ?? 1);
const samples = fc.sample(hostileBody(scale), { numRuns: 400, seed: 7 });
const worst = new Map<string, { ms: number; size: number; shape: string; verdict: string }>();
for (const { shape, body } of samples) {
  const t = process.hrtime.bigint();
  const out = reviewBody(body, { mode: 'enforce', check: checkObject });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const key = shape.replace(/\d+/g, 'N');
  const prev = worst.get(key);
  if (!prev || ms > prev.ms) worst.set(key, { ms, size: body.length, shape, verdict: `${out.review.response.allowed} ${out.review.response.status?.code ?? ''} ${(out.review.response.status?.message ?? out.review.response.warnings?.[0] ?? '').slice(0, 90)}` });
}
for (const [, w] of worst) console.log(`${w.ms.toFixed(1).padStart(8)} ms ${String(w.size).padStart(8)} B  ${w.shape}  → ${w.verdict}`);
console.log('rss', (process.memoryUsage().rss / 1048576).toFixed(0), 'MiB');
