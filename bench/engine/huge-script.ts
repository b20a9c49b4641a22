/**
 * The adversarial case that dominated the engine benchmark: one container whose `sh -c` script is
 * 1 MiB of `gunicorn -w 2 app && …`. Prints the time per run and the findings it gives.
 * Run: npx tsx bench/engine/huge-script.ts
 */
import { checkContainer } from '../../src/engine';

const GOAL_MS = 50;
const unit = 'gunicorn -w 2 app && ';
const script = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
const times: number[] = [];
let findings = 0;
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  findings = checkContainer({ command: ['sh', '-c', script] }).length;
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[2];
console.log(`1 MiB sh -c script: median ${median.toFixed(0)} ms over 5 runs, ${findings} findings`);
console.log(`ratio to goal (${GOAL_MS} ms): ${(median / GOAL_MS).toFixed(1)}×`);
