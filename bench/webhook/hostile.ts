/**
 * The review of hostile AdmissionReviews (test/shell/hostile-inputs.ts): CPU time and peak memory of
 * `reviewBody` (JSON.parse, the engine over the object, the answer) per input, against the budget
 * every request up to 3 MiB must meet: ≤ 100 ms of CPU and ≤ 64 MiB above the idle process.
 *
 *   npx tsx bench/webhook/hostile.ts            # every input, each in a fresh process
 *   npx tsx bench/webhook/hostile.ts 'NAME'     # one input
 *
 * Each input runs in its own child process (so one input's garbage cannot slow the next): the child
 * builds the body, collects garbage, resets the kernel's peak-RSS mark (`/proc/self/clear_refs`), then
 * reviews the body three times; the CPU time is the child's own user + system time of the fastest
 * review, the memory the peak RSS above the RSS just before the first review (VmHWM − VmRSS). A child
 * that takes longer than 120 s is stopped and reported as such.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkObject } from '../../src/manifest';
import { reviewBody } from '../../src/webhook/review';
import { HOSTILE, podReview } from '../../test/shell/hostile-inputs';

const TARGET_CPU_MS = 100;
const TARGET_MIB = 64;
const RUNS = Number(process.env.RUNS ?? 3);

function statusKiB(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** In the child: review one input and print one JSON line. */
function child(name: string): void {
  const build = HOSTILE[name];
  if (!build) throw new Error(`no input named ${name}`);
  // Warm the engine on a small review first, so the figures are the input's, not the first load's.
  const warm = podReview([
    { name: 'w', image: 'python:3.12', command: ['uvicorn', 'main:app', '--workers', '2'] },
  ]);
  for (let i = 0; i < 100; i++) reviewBody(JSON.stringify(warm), { mode: 'enforce', check: checkObject });
  const body = build();
  const gc = (globalThis as { gc?: () => void }).gc;
  let best = Number.POSITIVE_INFINITY;
  let peak = 0;
  let answer = '';
  for (let run = 0; run < RUNS; run++) {
    gc?.();
    writeFileSync('/proc/self/clear_refs', '5');
    const before = statusKiB('VmRSS');
    const started = cpuMs();
    const result = reviewBody(body, { mode: 'enforce', check: checkObject });
    const spent = cpuMs() - started;
    peak = Math.max(peak, statusKiB('VmHWM') - before);
    best = Math.min(best, spent);
    const response = result.review.response;
    const rules = result.decision.rules.join(',');
    answer = `${response.allowed ? 'allowed' : 'denied'}${rules ? ` (${rules})` : ''}${response.warnings ? `, ${response.warnings.length} warning(s)` : ''}`;
  }
  process.stdout.write(
    `${JSON.stringify({ bytes: Buffer.byteLength(body), cpuMs: best, peakMiB: peak / 1024, answer })}\n`,
  );
}

function main(): void {
  const only = process.argv[2];
  const names = only ? [only] : Object.keys(HOSTILE);
  const rows: string[] = [];
  for (const name of names) {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'hostile.ts'), '--child', name],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 20 },
    );
    const line = run.stdout.trim().split('\n').pop() ?? '';
    let row: string;
    try {
      const r = JSON.parse(line) as { bytes: number; cpuMs: number; peakMiB: number; answer: string };
      const ok = r.bytes > 3 * 1024 * 1024 || (r.cpuMs <= TARGET_CPU_MS && r.peakMiB <= TARGET_MIB);
      row =
        `| ${name} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.cpuMs.toFixed(1)} ms | ${r.peakMiB.toFixed(1)} MiB | ` +
        `${r.answer} | ${r.bytes > 3 * 1024 * 1024 ? 'beyond 3 MiB' : ok ? 'met' : 'NOT met'} |`;
    } catch {
      const why =
        run.error?.message ??
        (run.signal
          ? `killed by ${run.signal}`
          : `exit ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
      row = `| ${name} | | | | did not finish (${why}) | NOT met |`;
    }
    rows.push(row);
    process.stdout.write(`${row}\n`);
  }
  process.stdout.write(
    `\ntargets per input up to 3 MiB: CPU ≤ ${TARGET_CPU_MS} ms, peak RSS above idle ≤ ${TARGET_MIB} MiB (best of ${RUNS} reviews)\n`,
  );
}

if (process.argv[2] === '--child') {
  child(process.argv[3] ?? '');
} else {
  main();
}
