/**
 * `oneproc check` over generated hostile repositories (bench/fuzz/repos.ts): symbolic links out of
 * the root, files over 1 MiB, deep nesting, YAML aliases, templates, control characters, canary
 * payloads, an unpacked image for --image-root. Each input is checked in process with `run()`, in
 * worker processes that bound the heap and kill an input that takes too long, and judged against the
 * properties of check-harness.ts. Prints the inputs run, the failures by property (with the first
 * inputs of each), the time per input, the slowest and largest inputs and the peak memory. Not a test:
 * run on demand; test/cli/check.fuzz.test.ts runs a fixed-seed slice.
 *
 *   npx tsx bench/fuzz/check.ts [--runs 100000] [--seed 20261127] [--jobs 2] [--batch 1000]
 *                               [--timeout 10000] [--heap 512] [--recycle 1024]
 *   npx tsx bench/fuzz/check.ts --replay SEED:INDEX [--shrink [--property NAME]] [--keep DIR]
 *
 * --timeout and --heap bound each input (ms, MiB of heap); a worker whose resident set passes --recycle
 * MiB is replaced after its input. ONEPROC_FUZZ_RUNS and ONEPROC_FUZZ_SEED stand for --runs and --seed. Exits 1 when any property
 * failed. `--replay` checks one input again in this process and prints it with its output;
 * `--shrink` looks for the smallest input that still breaks the property (the first one broken, or
 * NAME); `--keep DIR` leaves the repository (and the host folder beside it) in DIR.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { checkRepo, PROPERTIES, type Property, workspace } from './check-harness';
import { runFuzz } from './check-runner';
import { describeRepo, type HostileRepo, hostileRepo } from './repos';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function number(name: string, env: string | undefined, fallback: number): number {
  const text = option(name) ?? env;
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} needs a whole number, got ${text}`);
    process.exit(2);
  }
  return value;
}

async function replay(id: string): Promise<number> {
  const [seed, index] = id.split(':').map(Number) as [number, number];
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(index)) {
    console.error(`--replay needs SEED:INDEX, got ${id}`);
    return 2;
  }
  const keep = option('keep');
  const dir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-fuzz-'));
  const ws = workspace(dir);
  let repo = fc.sample(hostileRepo, { seed, numRuns: index + 1 })[index]!;
  let { outcome, failures } = await checkRepo(ws, repo);
  if (process.argv.includes('--shrink') && failures.length > 0) {
    const property = (option('property') ?? failures[0]!.property) as Property;
    console.log(`shrinking on ${property}…`);
    const result = await fc.check(
      fc.asyncProperty(hostileRepo, async (r) => {
        const judged = await checkRepo(ws, r);
        return !judged.failures.some((f) => f.property === property);
      }),
      { seed, path: String(index) },
    );
    if (result.counterexample) {
      repo = result.counterexample[0] as HostileRepo;
      ({ outcome, failures } = await checkRepo(ws, repo));
      console.log(`smallest input after ${result.numShrinks} shrinks:`);
    }
  }
  if (keep) await checkRepo(ws, repo, { keep: true });
  console.log(describeRepo(repo));
  console.log(`exit ${outcome.code ?? '(threw)'} in ${outcome.ms.toFixed(1)} ms`);
  console.log(`standard output: ${JSON.stringify(outcome.out.slice(0, 3000))}`);
  console.log(`standard error: ${JSON.stringify(outcome.err.slice(0, 3000))}`);
  for (const f of failures) console.log(`FAILS ${f.property}: ${f.detail}`);
  if (keep) console.log(`the repository is in ${ws.repo}, the host folder in ${ws.host}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  return failures.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const id = option('replay');
  if (id !== undefined) return replay(id);
  const options = {
    runs: number('runs', process.env.ONEPROC_FUZZ_RUNS, 100_000),
    seed: number('seed', process.env.ONEPROC_FUZZ_SEED, 20261127),
    jobs: number('jobs', undefined, 2),
    batch: number('batch', undefined, 1000),
    timeoutMs: number('timeout', undefined, 10_000),
    heapMb: number('heap', undefined, 512),
    recycleMb: number('recycle', undefined, 1024),
  };
  const report = await runFuzz({
    ...options,
    progress: (done) => process.stderr.write(`  ${done.toLocaleString('en')} inputs…\r`),
  });
  const failed = (Object.keys(PROPERTIES) as Property[]).filter((p) => report.counts[p] > 0);
  console.log(
    `check fuzz: ${report.runs.toLocaleString('en')} inputs, seed ${report.seed}, ${options.jobs} workers at a time ` +
      `(${report.workers} started), bounds ${options.timeoutMs} ms and ${options.heapMb} MiB of heap per input, ` +
      `${report.seconds.toFixed(1)} s`,
  );
  console.log(
    `  failures by property: ${(Object.keys(PROPERTIES) as Property[]).map((p) => `${p} ${report.counts[p]}`).join(', ')}`,
  );
  console.log(
    `  time per input in run(): mean ${report.meanMs.toFixed(1)} ms, median ${report.medianMs.toFixed(1)} ms, ` +
      `p99 ${report.p99Ms.toFixed(1)} ms; ${(report.runs / report.seconds).toFixed(1)} inputs/s overall`,
  );
  console.log(`  peak resident set of a worker: ${report.peakRssMiB.toFixed(0)} MiB`);
  console.log('  slowest inputs:');
  for (const s of report.slowest) console.log(`    ${s.ms.toFixed(0)} ms  ${s.id}  ${firstLines(s.repo)}`);
  console.log('  inputs that raised the peak resident set most:');
  for (const s of report.largest)
    console.log(
      `    +${s.rssRiseMiB.toFixed(1)} MiB (heap ${s.heapMiB.toFixed(0)} MiB after)  ${s.id}  ${firstLines(s.repo)}`,
    );
  for (const p of failed) {
    console.log(`\nFAILS ${p} (${report.counts[p]} inputs): ${PROPERTIES[p]}`);
    const kinds = Object.entries(report.classes[p]).sort((a, b) => b[1] - a[1]);
    for (const [kind, n] of kinds.slice(0, 12)) console.log(`  ${String(n).padStart(6)} × ${kind}`);
    for (const e of report.examples[p]) console.log(`  ${e.id}: ${e.detail}\n${indent(e.repo)}`);
  }
  if (failed.length > 0)
    console.log('\nReplay one: npx tsx bench/fuzz/check.ts --replay SEED:INDEX --shrink');
  return failed.length > 0 ? 1 : 0;
}

function firstLines(repo: string): string {
  const lines = repo.split('\n');
  return lines.length > 4
    ? `${lines.slice(0, 4).join(' | ')} | … (${lines.length - 1} entries)`
    : lines.join(' | ');
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
