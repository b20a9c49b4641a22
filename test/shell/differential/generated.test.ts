/**
 * The real dash and bash judge the shell interpreter on generated scripts (generate.ts): 10,000 scripts
 * from a fixed seed, each run by both shells and compared with both doors of the interpreter
 * (differential.ts). ONEPROC_DIFF_RUNS and ONEPROC_DIFF_SEED give another count or seed; larger runs
 * on demand: `npx tsx bench/shell/differential.ts --runs 100000 --seed N`.
 */
import { describe as describeDifference, kindOf, type RunSummary, runGenerated } from './differential';
import { KNOWN_GENERATED } from './known';
import { RealShells } from './real';

const DEFAULT_RUNS = 10_000;
const DEFAULT_SEED = 20260101;

function integerFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, not ${JSON.stringify(text)}`);
  return n;
}

const runs = integerFrom('ONEPROC_DIFF_RUNS', DEFAULT_RUNS);
const seed = integerFrom('ONEPROC_DIFF_SEED', DEFAULT_SEED);

describe(`the real dash and bash judge the shell interpreter: ${runs} generated scripts, seed ${seed}`, () => {
  let shells: RealShells;
  let summary: RunSummary;

  beforeAll(async () => {
    shells = new RealShells();
    summary = await runGenerated(shells, runs, seed);
  }, 1_800_000);

  afterAll(() => shells?.close());

  it('runs every script to its end under both shells', () => {
    expect(summary.runs).toBe(runs * 2);
    expect(summary.timeouts).toBe(0);
  });

  it('predicts what each real shell runs, through both doors, except the listed known differences', () => {
    const unexplained = summary.differences.filter((d) => KNOWN_GENERATED[kindOf(d)] === undefined);
    const kinds = new Map<string, string>();
    for (const d of unexplained) if (!kinds.has(kindOf(d))) kinds.set(kindOf(d), describeDifference(d));
    expect({
      count: unexplained.length,
      kinds: [...kinds.keys()],
      firstOfEachKind: [...kinds.values()].slice(0, 10),
    }).toEqual({ count: 0, kinds: [], firstOfEachKind: [] });
  });

  it('lists no known difference that no longer occurs', () => {
    // Only the default run is sure to meet every listed kind.
    if (runs !== DEFAULT_RUNS || seed !== DEFAULT_SEED) return;
    const seen = new Set(summary.differences.map(kindOf));
    expect(Object.keys(KNOWN_GENERATED).filter((k) => !seen.has(k))).toEqual([]);
  });
});
