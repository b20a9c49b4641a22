/**
 * Files and folders `oneproc check` may not read: said with the reason, and the rest still checked.
 * The built CLI runs as an unprivileged user (uid 65534 when the tests run as root, who reads
 * everything; from a copy that user can load, wherever the checkout is), over a world-readable
 * temporary folder holding the unreadable entries.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type UnprivilegedCli, unprivilegedCli } from '../helpers/unprivileged';
import { requireBuiltCli } from './cli-helpers';

const exec = promisify(execFile);

let cli: UnprivilegedCli;
beforeAll(() => {
  requireBuiltCli();
  cli = unprivilegedCli();
});
afterAll(() => cli?.cleanup());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-perm-'));
  chmodSync(dir, 0o755);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string, mode = 0o644): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

interface Report {
  findings: { rule: string; workers: number | null; file: string | null }[];
  notes: { message: string; file: string | null }[];
}

async function check(args: string[]): Promise<Report> {
  let stdout: string;
  try {
    ({ stdout } = await exec('node', [cli.bin, 'check', '--format', 'json', ...args], {
      cwd: dir,
      ...cli.user,
    }));
  } catch (err) {
    ({ stdout } = err as { stdout: string });
  }
  return JSON.parse(stdout);
}

it('a file the image root holds but oneproc may not read is a note with the reason', async () => {
  write('config.json', JSON.stringify({ config: { Entrypoint: ['/app/start.sh'], WorkingDir: '/app' } }));
  write('rootfs/app/start.sh', '#!/bin/sh\nexec uvicorn main:app --workers 4\n', 0o000);
  const r = await check(['--image-root', 'rootfs']);
  expect(r.notes.map((n) => n.message)).toEqual([
    '/app/start.sh cannot be read (permission denied), so it was not followed',
  ]);
});

it('a folder that cannot be read does not hide the Dockerfiles of the others', async () => {
  mkdirSync(path.join(dir, 'a-private'), { mode: 0o000 });
  write('b/Dockerfile', 'FROM python:3.12\nCMD ["uvicorn", "main:app", "--workers", "4"]\n');
  const r = await check(['.']);
  expect(r.findings.map((f) => [f.rule, f.workers, f.file])).toEqual([['uvicorn', 4, 'b/Dockerfile']]);
});
