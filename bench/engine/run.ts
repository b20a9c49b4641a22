/**
 * Engine benchmarks, run on demand (never in the test suite):
 *   npm run build && npx tsx bench/engine/run.ts [--check-only]
 * 1. median time per container over a realistic mix of containers (goal ≤ 20 µs);
 * 2. adversarial argument lists and scripts as large as the kernel lets a container run (goal ≤ 50 ms
 *    each), and the same at half the size, to show the time grows linearly (a ratio near 2, not 4);
 *    and inputs past the kernel's limits, refused at once with a `limit` finding;
 * 3. `oneproc check` (the built CLI, a real process) over 10,000 documents (goal ≤ 3 s); `--check-only`
 *    runs only this one (about 20 s instead of minutes on a loaded machine).
 * Prints each figure and its ratio to the goal (below 1 is better than the goal).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkContainer } from '../../src/engine';
import { MIX, median, writeRenderedDocuments } from '../lib/documents';

const ROOT = path.resolve(__dirname, '../..');

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

interface Row {
  figure: string;
  result: string;
  goal: string;
  ratio: string;
}
const rows: Row[] = [];
function report(figure: string, value: number, unit: 'µs' | 'ms' | 's', goal: number, extra = ''): void {
  const result = `${value.toFixed(unit === 's' ? 2 : 1)} ${unit}${extra}`;
  rows.push({ figure, result, goal: `≤ ${goal} ${unit}`, ratio: `${(value / goal).toFixed(2)}×` });
  console.log(`${figure}: ${result} (goal ≤ ${goal} ${unit}, ratio ${(value / goal).toFixed(2)}×)`);
}

/** `--check-only`: only figure 3, the one whose process is measured from outside. */
const checkOnly = process.argv.includes('--check-only');

// 1. Median time per container over the mix.
if (!checkOnly) {
  for (let i = 0; i < 2000; i++) for (const c of MIX) checkContainer(c); // warm up the JIT
  const perContainer: number[] = [];
  for (let round = 0; round < 200; round++) {
    const ms = time(() => {
      for (let i = 0; i < 50; i++) for (const c of MIX) checkContainer(c, { path: 'spec.containers[0]' });
    });
    perContainer.push((ms * 1000) / (50 * MIX.length));
  }
  report(
    `median time per container (${MIX.length}-container mix, 200 rounds)`,
    median(perContainer),
    'µs',
    20,
  );
}

// 2. Adversarial inputs as large as a container can run: the kernel gives one program at most 128 KiB
//    per argument and 2 MiB in all (src/shell/budget.ts). Each is also timed at half its size: a
//    ratio near 2 means linear. Inputs past those limits are refused by the kernel, and by oneproc at
//    once (a `limit` finding): the last rows time that.
if (!checkOnly) {
  const KiB = 1024;
  const MiB = 1024 * KiB;
  const SCRIPT = 120 * KiB;
  const cases: Record<string, [number, (bytes: number) => unknown]> = {
    'args: 1 MiB of "--workers $(W)" pairs (100,000 words)': [
      MiB,
      (bytes) => {
        const args: string[] = ['main:app'];
        for (let size = 0; size < bytes; size += 19) args.push('--workers', '$(W)');
        return { command: ['uvicorn'], args, env: [{ name: 'W', value: '4' }] };
      },
    ],
    'args: one 120 KiB word': [
      SCRIPT,
      (bytes) => ({ command: ['gunicorn'], args: ['-w', '9'.repeat(bytes)] }),
    ],
    'sh -c: 120 KiB script of chained commands': [
      SCRIPT,
      (bytes) => ({ command: ['sh', '-c', 'gunicorn -w 2 app && '.repeat(Math.floor(bytes / 21))] }),
    ],
    'sh -c: 120 KiB of one command’s words': [
      SCRIPT,
      (bytes) => ({
        command: ['sh', '-c', `uvicorn main:app ${'--a=b '.repeat(Math.floor(bytes / 6))}--workers 2`],
      }),
    ],
    'sh -c: 120 KiB of nested quotes and $(': [
      SCRIPT,
      (bytes) => ({ command: ['bash', '-c', `uvicorn --workers ${'"$('.repeat(Math.floor(bytes / 3))}`] }),
    ],
    'sh -c: 120 KiB doubling a variable, then uvicorn': [
      SCRIPT,
      (bytes) => ({
        command: ['sh', '-c', `A=x\n${'A=$A$A\n'.repeat(Math.floor(bytes / 7))}exec uvicorn app --workers 4`],
      }),
    ],
    'env: 1 MiB of $(VAR) references': [
      MiB,
      (bytes) => {
        const env = [];
        for (let i = 0; i < bytes / 32; i++) env.push({ name: `V${i}`, value: `$(V${i + 1})$(V${i + 1})` });
        return { command: ['uvicorn', 'main:app', '--workers', '$(V0)'], env };
      },
    ],
  };
  for (const [name, [size, make]] of Object.entries(cases)) {
    const full = make(size);
    const half = make(size / 2);
    checkContainer(full); // warm up
    const t1 = median([0, 1, 2, 3, 4].map(() => time(() => checkContainer(full))));
    const t2 = median([0, 1, 2, 3, 4].map(() => time(() => checkContainer(half))));
    report(name, t1, 'ms', 50, `; half the size: ${t2.toFixed(1)} ms (×${(t1 / t2).toFixed(1)})`);
  }
  const refused: Record<string, unknown> = {
    'sh -c: 2 MiB script (over 128 KiB: refused)': {
      command: ['sh', '-c', 'gunicorn -w 2 app && '.repeat(100_000)],
    },
    'args: 2 MiB of "--workers N" pairs (over 2 MiB with pointers: refused)': {
      command: [
        'uvicorn',
        'main:app',
        ...Array.from({ length: 150_000 }, (_, i) => (i % 2 ? '4' : '--workers')),
      ],
    },
  };
  for (const [name, container] of Object.entries(refused)) {
    const rules = checkContainer(container).map((f) => f.rule);
    if (rules.join() !== 'limit') throw new Error(`${name}: expected one limit finding, got ${rules.join()}`);
    const t = median([0, 1, 2, 3, 4].map(() => time(() => checkContainer(container))));
    report(name, t, 'ms', 50);
  }
}

// 3. `oneproc check` over 10,000 documents, as a real process.
{
  const bin = path.join(ROOT, 'bin/oneproc.js');
  if (!existsSync(path.join(ROOT, 'dist/cli/check.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-bench-'));
  try {
    const file = writeRenderedDocuments(dir);
    const runs: number[] = [];
    const cpu: number[] = [];
    let stdout = '';
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const result = spawnSync(
        process.execPath,
        ['--require', path.join(__dirname, 'cpu-usage.cjs'), bin, 'check', '--format', 'json', file],
        { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
      );
      runs.push((performance.now() - start) / 1000);
      const used = /cpu-usage-us (\d+)/.exec(result.stderr);
      if (result.status !== 1 || !used)
        throw new Error(`oneproc check failed: ${result.status} ${result.stderr}`);
      cpu.push(Number(used[1]) / 1e6);
      stdout = result.stdout;
    }
    const report3 = JSON.parse(stdout) as {
      findings: unknown[];
      checked: { documents: number; containers: number };
    };
    const what = `${report3.checked.documents} documents, ${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB, ${report3.checked.containers} containers, ${report3.findings.length} findings`;
    report(`oneproc check, wall time (${what}; median of 3 runs)`, median(runs), 's', 3);
    report('oneproc check, CPU time of the same runs (user + system)', median(cpu), 's', 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('\n| figure | result | goal | ratio |\n| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.figure} | ${r.result} | ${r.goal} | ${r.ratio} |`);
