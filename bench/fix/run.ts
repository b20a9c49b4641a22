/**
 * `oneproc fix` against `oneproc check` over the 10,000-document file of bench/engine/run.ts (the one
 * generator, bench/lib/documents.ts: 7,500 Deployments with two containers each from the mix, 2,500
 * Services), both as real processes of the built CLI, median of 3 runs each, wall time. The goal: fix within 1.5× check.
 * Run: npm run build && npx tsx bench/fix/run.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, writeRenderedDocuments } from '../lib/documents';

const ROOT = path.resolve(__dirname, '../..');

const bin = path.join(ROOT, 'bin/oneproc.js');
if (!existsSync(path.join(ROOT, 'dist/cli/fix.js')))
  throw new Error('dist/ is missing: run `npm run build` first');
const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-bench-fix-'));
try {
  const file = writeRenderedDocuments(dir);
  const time = (args: string[]): { seconds: number; stdout: string; stderr: string } => {
    const start = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 1) throw new Error(`oneproc ${args[0]} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    return { seconds, stdout: r.stdout, stderr: r.stderr };
  };
  const check: number[] = [];
  const fix: number[] = [];
  let last = { seconds: 0, stdout: '', stderr: '' };
  // Interleaved, so a change of load on the machine touches both alike.
  for (let i = 0; i < 3; i++) {
    check.push(time(['check', '--format', 'json', file]).seconds);
    last = time(['fix', file]);
    fix.push(last.seconds);
  }
  const edits = last.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
  const summaries = last.stderr.split('\n').filter((l) => / → /.test(l)).length;
  const c = median(check);
  const f = median(fix);
  console.log(
    `oneproc check --format json: ${c.toFixed(2)} s (runs ${check.map((s) => s.toFixed(2)).join(', ')})`,
  );
  console.log(
    `oneproc fix (diff): ${f.toFixed(2)} s (runs ${fix.map((s) => s.toFixed(2)).join(', ')}); ${summaries} workloads scaled, ${edits} lines changed`,
  );
  console.log(`ratio fix/check: ${(f / c).toFixed(2)}× (goal ≤ 1.5×)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
