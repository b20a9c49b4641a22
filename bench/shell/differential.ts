/**
 * The shell differential on demand, with more scripts or another seed than the test suite's:
 *   npx tsx bench/shell/differential.ts --runs 100000 --seed 7 [--out FILE] [--shrink 5] [--door file|sh-c]
 * Runs the hand-written fixtures, then each generated script under real dash and bash with stub servers on PATH, compares what really
 * ran with what oneproc's shell interpreter predicts (test/shell/differential), and prints the count of
 * differences, each kind once (shrunk to a small script), and the time taken. Exits 1 on a difference.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  type Difference,
  DOORS,
  type Door,
  describe,
  kindOf,
  runGenerated,
  shrink,
} from '../../test/shell/differential/differential';
import { fixtureChecks, runFixtures } from '../../test/shell/differential/fixture-run';
import { KNOWN_DIFFERENCES } from '../../test/shell/differential/known';
import { RealShells } from '../../test/shell/differential/real';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const runs = Number(option('runs', '10000'));
  const seed = Number(option('seed', '20260101'));
  const out = option('out', '');
  const shrinkCount = Number(option('shrink', '8'));
  if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed))
    throw new Error('usage: --runs N (a positive integer) --seed N (an integer)');
  const shells = new RealShells();
  try {
    const fixtureStart = performance.now();
    const fixtures = (await runFixtures(shells, fixtureChecks())).filter((o) => o.difference !== undefined);
    const fixtureHead = `${fixtures.length} fixture checks differ (${((performance.now() - fixtureStart) / 1000).toFixed(1)} s)`;
    console.log(fixtureHead);
    const fixtureList = fixtures.map(
      (o) =>
        `${o.report}${KNOWN_DIFFERENCES[o.check.key] ? `\n  (known: ${KNOWN_DIFFERENCES[o.check.key]})` : ''}\n`,
    );
    const started = performance.now();
    const door = option('door', '');
    const doors: readonly Door[] = door === 'file' ? ['file'] : door === 'sh-c' ? ['sh -c'] : DOORS;
    const summary = await runGenerated(shells, runs, seed, doors);
    const seconds = (performance.now() - started) / 1000;
    const kinds = new Map<string, Difference[]>();
    for (const d of summary.differences) {
      const k = kindOf(d);
      kinds.set(k, [...(kinds.get(k) ?? []), d]);
    }
    const listed: string[] = [];
    let shrunk = 0;
    for (const [kind, list] of [...kinds].sort((a, b) => b[1].length - a[1].length)) {
      const example = shrunk++ < shrinkCount ? await shrink(shells, list[0]!) : list[0]!;
      listed.push(`### ${list.length} × ${kind}\n\n${describe(example)}\n`);
    }
    const head = `${summary.scripts} scripts (seed ${seed}), ${summary.runs} real runs, ${summary.comparisons} comparisons, ${summary.differences.length} differences of ${kinds.size} kinds, ${summary.timeouts} timeouts, ${seconds.toFixed(1)} s`;
    console.log(head);
    for (const l of listed) console.log(l);
    if (out)
      writeFileSync(
        out,
        `# Shell differential: open differences\n\nRun ${new Date().toISOString()}: \`npx tsx bench/shell/differential.ts --runs ${runs} --seed ${seed}\`\n\n## Generated scripts\n\n${head}\n\n${listed.join('\n')}\n## Hand-written fixtures\n\n${fixtureHead}\n\n${fixtureList.join('\n')}`,
      );
    process.exitCode = summary.differences.length > 0 || summary.timeouts > 0 || fixtures.length > 0 ? 1 : 0;
  } finally {
    shells.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
