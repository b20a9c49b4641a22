/**
 * Synth cost of SingleProcessApp against the same objects written directly with cdk8s-plus-27, in one
 * process: build a chart of N apps and synthesize it to YAML, alternating the two, several rounds.
 * Prints the median wall and CPU time of each and their ratios (goal ≤ 1.3×). First checks that both
 * give identical manifests, so the ratio is the cost of validation and the engine's guard alone.
 *
 *   npx tsx bench/synth/run.ts [apps=100] [rounds=15]
 */
import { App, Chart } from 'cdk8s';
import { SingleProcessApp } from '../../src/constructs';
import { DirectApp } from './direct';

const APPS = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 15);
const COMMAND = ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596'];

function build(kind: 'oneproc' | 'direct'): string {
  const app = new App({ outdir: '/tmp/oneproc-bench-synth' });
  const chart = new Chart(app, 'bench');
  for (let i = 0; i < APPS; i++) {
    const props = { image: `ghcr.io/acme/service-${i}:1.0.0`, command: COMMAND, port: 8596 };
    if (kind === 'oneproc') new SingleProcessApp(chart, `app-${i}`, props);
    else new DirectApp(chart, `app-${i}`, props);
  }
  return app.synthYaml();
}

/** Wall time and this process's CPU time (user + system) of one build, in ms. */
function time(kind: 'oneproc' | 'direct'): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  build(kind);
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ours = build('oneproc');
const direct = build('direct');
if (ours !== direct) {
  console.error('the two charts differ: the comparison would not be fair');
  process.exit(1);
}
console.log(
  `identical manifests: ${APPS} apps, ${ours.split('\n---\n').length} objects, ${ours.length} bytes`,
);

for (let i = 0; i < 3; i++) {
  time('oneproc');
  time('direct');
}
const a: Array<{ wall: number; cpu: number }> = [];
const b: Array<{ wall: number; cpu: number }> = [];
for (let i = 0; i < ROUNDS; i++) {
  if (i % 2 === 0) {
    a.push(time('oneproc'));
    b.push(time('direct'));
  } else {
    b.push(time('direct'));
    a.push(time('oneproc'));
  }
}
for (const measure of ['wall', 'cpu'] as const) {
  const ma = median(a.map((r) => r[measure]));
  const mb = median(b.map((r) => r[measure]));
  console.log(
    `${measure === 'wall' ? 'wall time' : 'CPU time '}: SingleProcessApp ×${APPS} ${ma.toFixed(1)} ms, ` +
      `cdk8s-plus-27 direct ×${APPS} ${mb.toFixed(1)} ms, ratio ${(ma / mb).toFixed(2)}× (goal ≤ 1.3×)`,
  );
}
