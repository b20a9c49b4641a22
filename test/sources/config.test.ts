/**
 * Server config files read by `oneproc check`: the built CLI over fixture repositories in
 * test/fixtures/sources/ whose worker count sits in a uWSGI, puma, pm2 or supervisord file.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'sources');

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/check-sources.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
});

interface JsonFinding {
  severity: string;
  rule: string;
  workers: number | null;
  path: string;
  file: string | null;
  line?: number;
  chain?: string[];
  kind: string | null;
  name: string | null;
  container: string | null;
}

async function check(args: string[]): Promise<{ code: number; findings: JsonFinding[]; stderr: string }> {
  let stdout: string;
  let stderr: string;
  let code = 0;
  try {
    ({ stdout, stderr } = await exec(
      'node',
      [path.join(ROOT, 'bin/oneproc.js'), 'check', '--format', 'json', ...args],
      { cwd: FIXTURES },
    ));
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    ({ stdout, stderr, code } = e);
  }
  const findings = stdout ? (JSON.parse(stdout).findings as JsonFinding[]) : [];
  return { code, findings, stderr };
}

const brief = (f: JsonFinding) => ({
  severity: f.severity,
  rule: f.rule,
  workers: f.workers,
  file: f.file,
  line: f.line,
  chain: f.chain,
});
describe('oneproc check reads server config files', () => {
  it("replaces `--ini uwsgi.ini` by the file's options, `$(UWSGI_WORKERS)` resolved against ENV", async () => {
    const { code, findings } = await check(['uwsgi-ini']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'uwsgi',
        workers: 4,
        file: 'uwsgi-ini/uwsgi.ini',
        line: 6,
        chain: ['uwsgi-ini/Dockerfile:5', 'uwsgi-ini/uwsgi.ini:6'],
      },
    ]);
  });

  it('applies a trailing app.ini last, so its `processes = %k` (one per CPU) beats `--processes 1`', async () => {
    const { findings } = await check(['uwsgi-cpu']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'warning',
        rule: 'uwsgi',
        workers: null,
        file: 'uwsgi-cpu/app.ini',
        line: 4,
        chain: ['uwsgi-cpu/Dockerfile:4', 'uwsgi-cpu/app.ini:4'],
      },
    ]);
  });

  it('reads `workers ENV.fetch("WEB_CONCURRENCY") { 2 }` from `bundle exec puma -C config/puma.rb`', async () => {
    const { findings } = await check(['puma-config']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'puma',
        workers: 3,
        file: 'puma-config/config/puma.rb',
        line: 4,
        chain: ['puma-config/Dockerfile:5', 'puma-config/config/puma.rb:4'],
      },
    ]);
  });

  it("reads the config/puma.rb Puma loads by itself, `Integer(ENV['WEB_CONCURRENCY'] || 2)` unset", async () => {
    const { findings } = await check(['puma-implicit']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'puma',
        workers: 2,
        file: 'puma-implicit/config/puma.rb',
        line: 2,
        chain: ['puma-implicit/Dockerfile:4', 'puma-implicit/config/puma.rb:2'],
      },
    ]);
  });
});
