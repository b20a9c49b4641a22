/**
 * A process chooses its own command line, so `oneproc observe` shows it without letting it act on the
 * terminal or a log: control characters as escapes, no line of its own, no workflow command.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { containerdCgroup, writeFakeProc } from './fake-proc';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const ID = `${'3'.repeat(60)}cccc`;
const UID = '11111111-2222-3333-4444-666666666666';
const HOSTILE = ['/usr/local/bin/gunicorn', '-w', '2', 'app:app\n::error::pwned\u001b[2J\u009b1A\u202e'];
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

let dir: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/observe.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-observe-escape-'));
  const cgroup = containerdCgroup(UID, ID);
  writeFakeProc(path.join(dir, 'proc'), [
    { pid: 1, ppid: 0, argv: ['/sbin/init'] },
    { pid: 100, ppid: 1, argv: ['/usr/bin/containerd-shim-runc-v2'] },
    { pid: 101, ppid: 100, argv: HOSTILE, cgroup },
    { pid: 102, ppid: 101, argv: HOSTILE, cgroup },
    { pid: 103, ppid: 101, argv: HOSTILE, cgroup },
  ]);
  fs.mkdirSync(path.join(dir, 'logs'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function observe(format: string): Promise<string> {
  const args = [
    'observe',
    '--format',
    format,
    '--proc-root',
    path.join(dir, 'proc'),
    '--log-dir',
    path.join(dir, 'logs'),
  ];
  try {
    return (await run('node', [path.join(ROOT, 'bin/oneproc.js'), ...args])).stdout;
  } catch (err) {
    return (err as { stdout: string }).stdout;
  }
}

it('shows a hostile command line as escapes in text', async () => {
  const out = await observe('text');
  expect(out.replaceAll('\n', '')).not.toMatch(CONTROL);
  expect(out.split('\n').filter((l) => /^\s*::/.test(l))).toEqual([]);
  expect(out).toContain('app:app\\n::error::pwned\\u001b[2J\\u009b1A\\u202e');
});

it('keeps the exact command line in JSON, with no raw control character', async () => {
  const out = await observe('json');
  expect(out.replaceAll('\n', '')).not.toMatch(CONTROL);
  expect(JSON.parse(out).containers[0].command).toBe(HOSTILE.join(' '));
});
