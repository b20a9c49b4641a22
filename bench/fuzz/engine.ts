/**
 * Long robustness run of the engine: feeds `checkContainer` many generated inputs (container-shaped
 * objects and arbitrary JSON, see arbitraries.ts) and reports every throw, every "could not check"
 * fallback, and the slowest input. Not a test: run on demand.
 *
 *   npx tsx bench/fuzz/engine.ts [--runs 1000000] [--seed N]
 *
 * Exits 1 when any input threw or reached a fallback, printing the first few of them.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { checkContainer } from '../../src/engine';
import { engineInput } from './arbitraries';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} needs a whole number, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return value;
}

const runs = option('runs', 1_000_000);
const seed = option('seed', Date.now() % 2 ** 31);
const BATCH = 10_000;
const FALLBACK = /failed to check this container|could not read this command line/;

const excerpt = (input: unknown): string => {
  let text: string;
  try {
    text = JSON.stringify(input) ?? String(input);
  } catch {
    text = String(input);
  }
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
};

const problems: string[] = [];
let throws = 0;
let fallbacks = 0;
let findings = 0;
/** The slowest inputs seen, slowest first (a few, re-timed at the end to tell noise from cost). */
const SLOWEST = 5;
let slowest: { ms: number; input: unknown }[] = [];
const times = new Float64Array(runs);
const started = performance.now();

for (let done = 0, batch = 0; done < runs; batch++) {
  const inputs = fc.sample(engineInput, { numRuns: Math.min(BATCH, runs - done), seed: seed + batch });
  for (const input of inputs) {
    const t0 = performance.now();
    try {
      const result = checkContainer(input, { path: 'spec.containers[0]' });
      findings += result.length;
      const fallback = result.find((f) => FALLBACK.test(f.message));
      if (fallback) {
        fallbacks++;
        if (problems.length < 5) problems.push(`fallback: ${fallback.message}\n  input: ${excerpt(input)}`);
      }
    } catch (err) {
      throws++;
      if (problems.length < 5) problems.push(`threw: ${String(err)}\n  input: ${excerpt(input)}`);
    }
    const ms = performance.now() - t0;
    times[done++] = ms;
    if (slowest.length < SLOWEST || ms > slowest[slowest.length - 1]!.ms) {
      slowest = [...slowest, { ms, input }].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
    }
  }
  if (batch % 10 === 9) process.stderr.write(`  ${done.toLocaleString('en')} inputs…\r`);
}

const totalS = (performance.now() - started) / 1000;
const sorted = times.sort();
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

console.log(
  `engine fuzz: ${runs.toLocaleString('en')} inputs, seed ${seed}, ${totalS.toFixed(1)} s (generation included)`,
);
console.log(`  throws: ${throws}, fallbacks: ${fallbacks}, findings: ${findings.toLocaleString('en')}`);
console.log(`  time per input: median ${us(pct(50))}, p99 ${us(pct(99))}, p99.99 ${us(pct(99.99))}`);
// On a busy machine the slowest single timings are mostly scheduling noise: the best of 20 repeats
// says what the input itself costs.
console.log(`  slowest inputs (first timing; best of 20 repeats):`);
for (const { ms, input } of slowest) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    checkContainer(input, { path: 'spec.containers[0]' });
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`    ${ms.toFixed(2)} ms; ${best.toFixed(3)} ms: ${excerpt(input)}`);
}
for (const p of problems) console.log(p);
process.exit(throws + fallbacks > 0 ? 1 : 0);
