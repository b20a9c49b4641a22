/**
 * Messages name the decisive place: the fix says what to change where the count lives (a config
 * file's line, not words the command line does not have), a line pointer is the count's own line, and
 * nothing says "this manifest cannot show" about an image that was read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../cli/run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-messages-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function findings(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const { out } = await runCheck(['--format', 'json', '.'], { cwd: dir });
  return (JSON.parse(out) as { findings: Array<{ message: string; file: string; line: number }> }).findings;
}

it('the fix for a count set in a config file names the file and line, not `drop --workers 3`', async () => {
  const [f] = await findings({
    Dockerfile:
      'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-c", "gunicorn_config.py", "app:app"]\n',
    'gunicorn_config.py': 'bind = ":8000"\n\n\nworkers = 3\n',
  });
  expect([f.file, f.line]).toEqual(['gunicorn_config.py', 4]);
  expect(f.message).toContain(
    'Fix: set the count in gunicorn_config.py:4 to 1 (oneproc reads it as `--workers 3`), or pass a count of 1 on the command line, which wins;',
  );
  expect(f.message).not.toContain('drop');
});

it('a config file the image does not hold is said so, not "this manifest cannot show"', async () => {
  const [f] = await findings({
    Dockerfile: 'FROM python:3.12\nCMD ["gunicorn", "-c", "gunicorn_config.py", "app:app"]\n',
  });
  expect(f.message).toContain(
    'may set `workers`, and the file is not in the image as oneproc follows its Dockerfile',
  );
  expect(f.message).not.toContain('manifest');
});

it('an exec-form CMD spread over lines points at the line of the count', async () => {
  const [f] = await findings({
    Dockerfile:
      'FROM python:3.12\nCMD ["uvicorn", "main:app", \\\n     "--host", "0.0.0.0", \\\n     "--workers", "4"]\n',
  });
  expect([f.file, f.line]).toEqual(['Dockerfile', 4]);
});
