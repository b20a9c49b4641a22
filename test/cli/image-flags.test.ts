/**
 * What `--image-root` and `--dockerfile` name, said plainly: a folder that does not exist, a file
 * where a folder is expected, a device or a pipe (refused, never read), and paths outside the working
 * directory shown by their absolute path.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Captured, runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-flags-'));
  mkdirSync(path.join(dir, 'work'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs check from `<dir>/work`, so that `dir`'s other files are outside the working directory. */
function check(argv: string[]): Promise<Captured> {
  return runCheck(argv, { cwd: path.join(dir, 'work') });
}

describe('--image-root', () => {
  it('names a folder that does not exist', async () => {
    const r = await check(['--image-root', 'nonexistent']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'oneproc check: nonexistent: no such folder: --image-root names the folder of an unpacked image filesystem\n',
    );
    expect(r.err).not.toContain('image config');
  });

  it('names a file, not a folder', async () => {
    writeFileSync(path.join(dir, 'work', 'rootfs.tar'), 'not a folder');
    const r = await check(['--image-root', 'rootfs.tar']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'oneproc check: rootfs.tar: is not a folder: --image-root names the folder of an unpacked image filesystem\n',
    );
  });

  it('outside the working directory is shown by its absolute path', async () => {
    const root = path.join(dir, 'gone');
    const r = await check(['--image-root', root]);
    expect(r.err).toContain(`oneproc check: ${root}: no such folder`);
  });
});

describe('--dockerfile', () => {
  it('on a device is refused, by its absolute path, without reading it', async () => {
    const r = await check(['--dockerfile', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('oneproc check: /dev/zero: is a character device, not a regular file\n');
  });

  it('on a named pipe is refused without waiting for a writer', async () => {
    const fifo = path.join(dir, 'work', 'Dockerfile');
    execFileSync('mkfifo', [fifo]);
    const r = await check(['--dockerfile', 'Dockerfile']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('oneproc check: Dockerfile: is a named pipe, not a regular file\n');
  });

  it('outside the working directory is shown by its absolute path, not a climb of ../', async () => {
    const file = path.join(dir, 'elsewhere', 'Dockerfile');
    mkdirSync(path.dirname(file));
    writeFileSync(file, 'FROM python:3.12\nCMD ["uvicorn", "main:app", "--workers", "4"]\n');
    const r = await check(['-f', 'json', '--dockerfile', file]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).findings.map((f: { file: string }) => f.file)).toEqual([file]);
  });
});
