/**
 * Never a silent pass: `oneproc check` on every fixture repository of test/fixtures/sources/ either
 * reports a finding or says what it could not follow — except the fixtures whose server really runs
 * one process, listed here with why, which must then report nothing at all. A fixture added without
 * a verdict here fails the test.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../cli/run-check';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');

/** Fixtures checked and fine: one process, as the real server runs them. */
const SINGLE: Record<string, string> = {
  'hypercorn-override': 'the command line -w 1 wins over the config file',
  'hypercorn-serve': "hypercorn's serve() in Python runs one process",
  'unicorn-default': 'Unicorn without worker_processes runs one worker',
};

interface Report {
  findings: {
    path: string;
    file: string | null;
    line?: number;
    cause?: { at: { field?: string; file?: string; line?: number } };
  }[];
  notes: unknown[];
  checked: { documents: number; containers: number; images?: number; services?: number };
}

async function check(fixture: string): Promise<Report> {
  const args = fixture === 'image-root' ? ['--image-root', 'image-root/rootfs'] : [fixture];
  const { out } = await runCheck(['--format', 'json', ...args], { cwd: FIXTURES });
  return JSON.parse(out) as Report;
}

const fixtures = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

it('lists only fixtures that exist', () => {
  expect(Object.keys(SINGLE).filter((f) => !fixtures.includes(f))).toEqual([]);
});

describe.each(fixtures)('%s', (fixture) => {
  it(SINGLE[fixture] ? `is fine: ${SINGLE[fixture]}` : 'gets a verdict or a note', async () => {
    const report = await check(fixture);
    const c = report.checked;
    expect(c.containers + (c.images ?? 0) + (c.services ?? 0)).toBeGreaterThan(0);
    if (SINGLE[fixture]) {
      expect({ findings: report.findings, notes: report.notes }).toEqual({ findings: [], notes: [] });
    } else {
      expect(report.findings.length + report.notes.length).toBeGreaterThan(0);
    }
    // Every reader of a file gives its values their place: a cause in a file is never shown as a
    // Kubernetes field (a field path never ends in `:LINE`).
    for (const f of report.findings) {
      // A finding at a file's line (not a Kubernetes field, which holds `[` or no `:LINE`) is reported
      // at that file and line: every reader gives its decisions their place.
      if (/^[^[]+:\d+$/.test(f.path)) expect(`${f.file}:${f.line}`).toBe(f.path);
      const at = f.cause?.at;
      if (at?.field !== undefined) expect(at.field).not.toMatch(/:\d+$/);
      if (at?.file !== undefined) expect(f.path).toBe(`${at.file}:${at.line}`);
    }
  });
});
