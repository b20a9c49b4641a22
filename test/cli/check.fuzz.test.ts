/**
 * `oneproc check` on hostile repositories: a fixed-seed slice of the generated inputs of
 * bench/fuzz/check.ts (symbolic links out of the root, files over 1 MiB, deep nesting, YAML aliases,
 * templates, control characters and workflow commands in names, canary payloads, an unpacked image),
 * each checked in a worker process whose heap and time per input are bounded. One test per property,
 * so a failure names the property and the inputs that break it (replay one with
 * `npx tsx bench/fuzz/check.ts --replay SEED:INDEX --shrink --property NAME`).
 *
 * ONEPROC_FUZZ_RUNS and ONEPROC_FUZZ_SEED run a longer or another slice; the long run is the bench.
 */
import { PROPERTIES, type Property } from '../../bench/fuzz/check-harness';
import { type FuzzReport, runFuzz } from '../../bench/fuzz/check-runner';

const RUNS = Number(process.env.ONEPROC_FUZZ_RUNS) || 200;
const SEED = process.env.ONEPROC_FUZZ_SEED ? Number(process.env.ONEPROC_FUZZ_SEED) : 7;

let report: FuzzReport;

beforeAll(async () => {
  report = await runFuzz({
    runs: RUNS,
    seed: SEED,
    jobs: 2,
    batch: Math.ceil(RUNS / 2),
    // Generous: these catch hangs and runaway memory, not slowness (bench/fuzz/check.ts measures that).
    timeoutMs: 20_000,
    heapMb: 512,
  });
}, 600_000);

describe(`oneproc check on ${RUNS} hostile repositories (seed ${SEED})`, () => {
  it('ran every input', () => {
    expect(report.runs).toBe(RUNS);
  });

  it.each(Object.keys(PROPERTIES) as Property[])('%s', (property) => {
    const broken = report.examples[property].map((e) => `${e.id}: ${e.detail}\n${e.repo}`);
    expect({
      property: PROPERTIES[property],
      inputs: report.counts[property],
      kinds: report.classes[property],
      broken,
    }).toEqual({ property: PROPERTIES[property], inputs: 0, kinds: {}, broken: [] });
  });
});
