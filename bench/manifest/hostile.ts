/**
 * Hostile manifests against the built `oneproc check` as a real process, run on demand (never in the
 * test suite):
 *   npm run build && npx tsx bench/manifest/hostile.ts
 * Each input is generated in a temporary folder; each run prints wall time, the process's peak RSS
 * (`process.resourceUsage().maxRSS`, from a preloaded hook), its exit status and its first stderr line.
 * Goals: every case answers within 10 s and 512 MiB, with exit 2 and a message when it refuses.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/oneproc.js');
const HOOK = path.join(__dirname, 'max-rss.cjs');
const POD =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: app, image: x, command: [gunicorn, -w, "4", app:app]}\n';

if (!existsSync(path.join(ROOT, 'dist/cli/check.js'))) throw new Error('run `npm run build` first');
const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-hostile-'));

/** Writes `piece` until the file holds at least `bytes`, then `tail`. */
function fill(file: string, head: string, piece: string, bytes: number, tail = ''): void {
  writeFileSync(file, head);
  const chunk = piece.repeat(Math.max(1, Math.floor(1_000_000 / piece.length)));
  while (statSync(file).size < bytes) appendFileSync(file, chunk);
  appendFileSync(file, tail);
}

const cases: Array<{ name: string; make: (file: string) => void; ext: string }> = [
  {
    name: '999 aliases of a 100,000-item sequence (the args of 999 containers)',
    ext: 'yaml',
    make: (file) => {
      const rows = [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: flood}',
        `x: &a [${Array(100_000).fill('1').join(',')}]`,
        'spec:',
        '  containers:',
      ];
      for (let i = 0; i < 999; i++) rows.push(`  - {name: c${i}, image: x, args: *a}`);
      writeFileSync(file, `${rows.join('\n')}\n`);
    },
  },
  {
    name: 'one 61 MB YAML document (a List of ConfigMaps) between two Pods',
    ext: 'yaml',
    make: (file) =>
      fill(
        file,
        `${POD}---\napiVersion: v1\nkind: List\nitems:\n`,
        '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data: {a: b, c: d}\n',
        61_000_000,
        `---\n${POD}`,
      ),
  },
  {
    name: 'a ConfigMap of 200,000 keys (2.6 MB)',
    ext: 'yaml',
    make: (file) => {
      const keys = Array.from({ length: 200_000 }, (_, i) => `  key${i}: value`);
      writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\ndata:\n${keys.join('\n')}\n---\n${POD}`);
    },
  },
  {
    name: 'a 61 MB JSON List with one finding at its start',
    ext: 'json',
    make: (file) => {
      const pod = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'a', image: 'x', command: ['gunicorn', '-w', '4', 'app:app'] }] },
      });
      const item = `,\n${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b', c: 'd' } })}`;
      fill(file, `{"apiVersion":"v1","kind":"List","items":[${pod}`, item, 61_000_000, ']}');
    },
  },
];

try {
  for (const c of cases) {
    const file = path.join(dir, `input.${c.ext}`);
    c.make(file);
    const size = (statSync(file).size / 1_000_000).toFixed(1);
    const start = performance.now();
    const result = spawnSync(process.execPath, ['--require', HOOK, BIN, 'check', file], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = ((performance.now() - start) / 1000).toFixed(2);
    const rss = /max-rss-kb (\d+)/.exec(result.stderr);
    const mib = rss ? (Number(rss[1]) / 1024).toFixed(0) : '?';
    const first = result.stderr.split('\n').find((l) => l.startsWith('oneproc check:')) ?? '';
    const status = result.status ?? result.signal;
    console.log(`${c.name} (${size} MB): ${seconds} s, ${mib} MiB peak RSS, exit ${status}`);
    if (first) console.log(`  ${first.replace(dir + path.sep, '').slice(0, 200)}`);
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
