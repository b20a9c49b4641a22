/**
 * One /proc scan with 2,000 processes: a fake /proc tree on disk (200 containers × 10 processes, the
 * shape of a busy node), read and analysed the way the agent does on every interval.
 * Run: node --expose-gc --import tsx bench/observe/scan.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { observeContainers, readProcesses } from '../../src/observe';
import { containerdCgroup, type FakeProcess, writeFakeProc } from '../../test/observe/fake-proc';

const GOAL_MS = 100;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-bench-proc-'));
const procs: FakeProcess[] = [];
let pid = 1000;
for (let c = 0; c < 200; c++) {
  const id = c.toString(16).padStart(64, '0');
  const uid = `00000000-0000-0000-0000-${c.toString(16).padStart(12, '0')}`;
  const cgroup = containerdCgroup(uid, id);
  const argv = ['/usr/local/bin/python', '/usr/local/bin/gunicorn', '-w', '9', `app${c}:app`];
  const master = pid++;
  procs.push({ pid: master, ppid: 1, argv, cgroup });
  for (let w = 0; w < 9; w++) procs.push({ pid: pid++, ppid: master, argv, cgroup });
}
writeFakeProc(dir, procs);

const times: number[] = [];
let containers = 0;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
gc();
const heapBefore = process.memoryUsage().heapUsed;
for (let i = 0; i < 30; i++) {
  const t0 = process.hrtime.bigint();
  containers = observeContainers(readProcesses(dir)).length;
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
gc();
const heapAfter = process.memoryUsage().heapUsed;
const rss = process.memoryUsage().rss;
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`processes: ${procs.length}, containers: ${containers}, scans: ${times.length}`);
console.log(
  `scan median: ${median.toFixed(1)} ms, p90: ${times[Math.floor(times.length * 0.9)].toFixed(1)} ms`,
);
console.log(`ratio to goal (${GOAL_MS} ms): ${(median / GOAL_MS).toFixed(2)}×`);
console.log(
  `heap retained after ${times.length} scans (after GC): ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(2)} MiB; RSS ${(rss / 1024 / 1024).toFixed(0)} MiB`,
);
fs.rmSync(dir, { recursive: true, force: true });
