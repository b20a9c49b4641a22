/**
 * The differential run over generated scripts: each script runs under real dash (as `#!/bin/sh`, which
 * is dash on Debian) and real bash (`#!/bin/bash`), and each run is compared with both doors of the
 * interpreter for that shell: the script as the image's entrypoint file, and — when it sources no file,
 * which a manifest's `sh -c` has no image to read from — as `SHELL -c SCRIPT` in a container's command.
 * The generated scripts never read `$0`, the one thing `sh -c TEXT ARG0 …` and `sh FILE …` set
 * differently, so one real run judges both doors.
 */
import { difference, showPredicted, showReal } from './compare';
import { type GeneratedScript, generate, scriptText, smaller, sources } from './generate';
import { predictDashC, predictImage } from './predict';
import { PARALLEL, type RealCase, type RealResult, type RealShells, type Shell } from './real';

export type Door = 'sh -c' | 'file';
export const DOORS: readonly Door[] = ['file', 'sh -c'];

export interface Difference {
  readonly door: Door;
  readonly shell: Shell;
  readonly script: GeneratedScript;
  readonly difference: string;
  readonly real: string;
  readonly predicted: string;
}

const SHELLS: readonly Shell[] = ['dash', 'bash'];

function realCase(g: GeneratedScript, shell: Shell): RealCase {
  return {
    script: `${shell === 'dash' ? '#!/bin/sh' : '#!/bin/bash'}\n${scriptText(g)}`,
    files: { 'env.sh': `${g.second.join('\n')}\n` },
    args: g.args,
    env: g.env,
    mode: 'file',
  };
}

async function compareOne(
  g: GeneratedScript,
  shell: Shell,
  real: RealResult,
  doors: readonly Door[] = DOORS,
): Promise<Difference[]> {
  const out: Difference[] = [];
  if (doors.includes('file')) {
    const text = realCase(g, shell).script;
    const image = await predictImage(text, { 'env.sh': `${g.second.join('\n')}\n` }, g.args, g.env);
    const d = difference(real, image);
    if (d)
      out.push({
        door: 'file',
        shell,
        script: g,
        difference: d,
        real: showReal(real),
        predicted: showPredicted(image),
      });
  }
  if (doors.includes('sh -c') && !sources(g)) {
    const c = predictDashC(shell, scriptText(g), g.args, g.env);
    const dc = difference(real, c);
    if (dc)
      out.push({
        door: 'sh -c',
        shell,
        script: g,
        difference: dc,
        real: showReal(real),
        predicted: showPredicted(c),
      });
  }
  return out;
}

export interface RunSummary {
  readonly scripts: number;
  /** Real runs made (scripts × shells). */
  readonly runs: number;
  /** Comparisons made (per run, one or two doors). */
  readonly comparisons: number;
  readonly differences: readonly Difference[];
  /** Runs the real shell did not finish in time: the generator's fault, reported apart. */
  readonly timeouts: number;
}

/**
 * Runs `count` scripts generated from `seed` under both shells and compares them with the prediction.
 * Batches run in `PARALLEL` slots; a batch's predictions are made while the other slots' shells run.
 */
export async function runGenerated(
  shells: RealShells,
  count: number,
  seed: number,
  doors: readonly Door[] = DOORS,
  batchSize = 25,
): Promise<RunSummary> {
  const scripts = generate(count, seed);
  const differences: Difference[][] = [];
  let comparisons = 0;
  let timeouts = 0;
  let next = 0;
  const worker = async (slot: number) => {
    while (next < scripts.length) {
      const from = next;
      next = Math.min(scripts.length, next + batchSize);
      const batch = scripts.slice(from, next);
      const results = await shells.runBatch(
        batch.flatMap((g) => SHELLS.map((s) => realCase(g, s))),
        slot,
      );
      const found: Difference[] = [];
      for (let i = 0; i < batch.length; i++) {
        for (let k = 0; k < SHELLS.length; k++) {
          const real = results[i * SHELLS.length + k]!;
          if (real.status === 'timeout') timeouts++;
          comparisons += doors.filter((d) => d === 'file' || !sources(batch[i]!)).length;
          found.push(...(await compareOne(batch[i]!, SHELLS[k]!, real, doors)));
        }
      }
      differences[from] = found;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, (_, s) => worker(s)));
  return {
    scripts: scripts.length,
    runs: scripts.length * SHELLS.length,
    comparisons,
    differences: differences.flat(),
    timeouts,
  };
}

/** The category of a difference (the words `difference` in compare.ts uses), without its values. */
export function categoryOf(text: string): string {
  const categories: [RegExp, string][] = [
    [/timed out/, 'the real shell timed out'],
    [/but the real shell ran no more servers/, 'a server predicted that does not run'],
    [/, not predicted$/, 'a server that runs is not predicted'],
    [/^run \d+: real \S+, predicted \S+$/, 'another server predicted'],
    [/argument \d+: real .*, predicted unknown/, 'an argument predicted unknown'],
    [/argument \d+: real .*, predicted "/, 'an argument predicted with another value'],
    [/: real arguments/, 'another number of arguments predicted'],
    [/env \w+: not in the real environment/, 'a variable predicted in the environment that is not there'],
    [/env \w+: real .*, predicted not exported/, 'a variable in the environment predicted not there'],
    [/env \w+: real .*, predicted unknown/, 'a variable in the environment predicted unknown'],
    [/env \w+: real .*, predicted "/, 'a variable in the environment predicted with another value'],
    [/lower bound|depends on the CPUs/, 'a CPU-derived value without its lower bound'],
  ];
  return categories.find(([re]) => re.test(text))?.[1] ?? text;
}

/** What kind of difference this is: door, shell and category, to list each kind once. */
export function kindOf(d: Difference): string {
  return `${d.door} | ${d.shell} | ${categoryOf(d.difference)}`;
}

/** A smaller script with a difference of the same door and shell (greedy, at most `budget` runs). */
export async function shrink(shells: RealShells, d: Difference, budget = 80): Promise<Difference> {
  let best = d;
  let tries = 0;
  for (let improved = true; improved && tries < budget; ) {
    improved = false;
    for (const candidate of smaller(best.script)) {
      if (++tries > budget) break;
      const [real] = await shells.runAll([realCase(candidate, d.shell)], 1);
      if (!real || real.status === 'timeout') continue;
      const found = (await compareOne(candidate, d.shell, real, [d.door])).find((x) => x.door === d.door);
      if (found) {
        best = found;
        improved = true;
        break;
      }
    }
  }
  return best;
}

/** A difference as Markdown, for the list of open differences. */
export function describe(d: Difference): string {
  const g = d.script;
  return [
    `- **${d.door}, ${d.shell}**: ${d.difference}`,
    '  ```sh',
    ...scriptText(g)
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
    '  ```',
    ...(sources(g) ? [`  env.sh: \`${g.second.join('; ')}\``] : []),
    `  args: \`${JSON.stringify(g.args)}\`, pod env: \`${JSON.stringify(Object.fromEntries(g.env))}\``,
    `  real ${d.shell}: ${d.real}`,
    `  predicted: ${d.predicted}`,
  ].join('\n');
}
