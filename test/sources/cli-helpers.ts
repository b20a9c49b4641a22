/** Runs the built `oneproc check --format json` over the fixture repositories in test/fixtures/sources/. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'sources');

/** Fails with how to fix it when dist/ has not been built. */
export function requireBuiltCli(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/check-sources.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
}

export interface JsonFinding {
  severity: string;
  rule: string;
  message: string;
  workers: number | null;
  path: string;
  file: string | null;
  line?: number;
  chain?: string[];
  kind: string | null;
  name: string | null;
  container: string | null;
}

export async function check(
  args: string[],
): Promise<{ code: number; findings: JsonFinding[]; stderr: string }> {
  let stdout: string;
  let stderr: string;
  let code = 0;
  try {
    ({ stdout, stderr } = await exec(
      'node',
      [path.join(ROOT, 'bin/oneproc.js'), 'check', '--format', 'json', ...args],
      {
        cwd: FIXTURES,
      },
    ));
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    ({ stdout, stderr, code } = e);
  }
  const findings = stdout ? (JSON.parse(stdout).findings as JsonFinding[]) : [];
  return { code, findings, stderr };
}

/** The fields the tests compare. */
export const brief = (f: JsonFinding) => ({
  severity: f.severity,
  rule: f.rule,
  workers: f.workers,
  file: f.file,
  line: f.line,
  chain: f.chain,
});
