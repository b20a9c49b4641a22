/**
 * Walking a folder never drops findings by a heuristic: only the documents that are templates are
 * skipped (each with a note), a file's other documents are checked; symbolic links, pipes and devices
 * that are not read are each a note; links are not followed out of the folder being checked.
 * (An unreadable subfolder needs a user without root's powers: check-process.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RULES } from '../manifest/fake-rule';
import { runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-walk-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

async function check(argv: string[]) {
  const r = await runCheck(argv, { cwd: dir, engine: { rules: RULES } });
  return { ...r, json: () => JSON.parse(r.out) };
}

const deployment = (name: string, workers: string, comment = '') =>
  [
    `apiVersion: apps/v1${comment}`,
    'kind: Deployment',
    `metadata: {name: ${name}}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - {name: app, command: [fake-server, --workers, "${workers}"]}`,
    '',
  ].join('\n');

const TEMPLATE = [
  'apiVersion: v1',
  'kind: Service',
  'spec:',
  '  {{- if .Values.x }}',
  '  type: NodePort',
  '  {{- end }}',
  '',
].join('\n');

describe('templates found while walking', () => {
  it('skips only the template documents of a file, each with a note, and checks the others', async () => {
    // Lines 1–8: the Deployment, line 9: `---`, lines 10–15: the template.
    write('chart/all.yaml', `${deployment('web', '8')}---\n${TEMPLATE}`);
    const r = await check(['-f', 'json', 'chart']);
    expect(r.code).toBe(1);
    const report = r.json();
    expect(report.findings.map((f: Record<string, unknown>) => [f.file, f.name, f.workers, f.line])).toEqual([
      ['chart/all.yaml', 'web', 8, 8],
    ]);
    expect(report.notes).toEqual([
      expect.objectContaining({
        file: 'chart/all.yaml',
        line: 9,
        message:
          'skipped: a template (Helm, Go…: {{ … }} at line 13), not plain YAML; check its rendered output instead: helm template … | oneproc check -',
      }),
    ]);
  });

  it('does not take a {{ … }} in a YAML comment for a template', async () => {
    write(
      'k8s/web.yaml',
      `${deployment('web', '8', ' # rendered from {{ .Values.name }}')}---\nkind: [broken\n`,
    );
    const r = await check(['-f', 'json', 'k8s']);
    expect(r.json().findings.map((f: Record<string, unknown>) => f.name)).toEqual(['web']);
    // No template note: the only note is the broken document, which is unreadable (exit 2).
    expect(r.json().notes).toEqual([
      expect.objectContaining({ file: 'k8s/web.yaml', line: 11, reason: 'unreadable' }),
    ]);
    expect(r.err).toMatch(/^oneproc check: k8s\/web\.yaml:11:\d+: invalid YAML in document 1/);
    expect(r.code).toBe(2);
  });

  it('skips a template document that happens to parse, rather than judging unrendered values', async () => {
    write('chart/templates/deploy.yaml', deployment('web', '{{ .Values.workers }}'));
    const r = await check(['-f', 'json', 'chart']);
    expect(r.code).toBe(0);
    expect(r.json().findings).toEqual([]);
    expect(r.json().notes.map((n: Record<string, unknown>) => [n.file, n.line])).toEqual([
      ['chart/templates/deploy.yaml', 1],
    ]);
  });

  it('checks GitHub Actions expressions and JSON strings as they are: they are not templates of the file', async () => {
    write('k8s/a.yaml', `${deployment('a', '2')}---\nrun: echo \${{ secrets.TOKEN }}\n`);
    write(
      'k8s/b.json',
      JSON.stringify({
        kind: 'Pod',
        metadata: { name: 'b', annotations: { legend: '{{instance}}' } },
        spec: { containers: [{ command: ['fake-server', '--workers', '3'] }] },
      }),
    );
    const r = await check(['-f', 'json', 'k8s']);
    expect(r.json().findings.map((f: Record<string, unknown>) => f.name)).toEqual(['a', 'b']);
    expect(r.json().notes).toEqual([]);
  });
});

describe('symbolic links and special files found while walking', () => {
  it('says which are not followed and why, and never reads outside the folder', async () => {
    write('k8s/real.yaml', deployment('real', '2'));
    write('outside/secret.yaml', deployment('outside', '9'));
    mkdirSync(path.join(dir, 'k8s/sub'), { recursive: true });
    symlinkSync('real.yaml', path.join(dir, 'k8s/inside.yaml'));
    symlinkSync('missing.yaml', path.join(dir, 'k8s/dangling.yaml'));
    symlinkSync('loop.yaml', path.join(dir, 'k8s/loop.yaml'));
    symlinkSync('../outside/secret.yaml', path.join(dir, 'k8s/escape.yaml'));
    symlinkSync(path.join(dir, 'outside'), path.join(dir, 'k8s/shared'));
    spawnSync('mkfifo', [path.join(dir, 'k8s/pipe.yaml')]);
    const r = await check(['-f', 'json', 'k8s']);
    const report = r.json();
    expect(report.findings.map((f: Record<string, unknown>) => [f.file, f.name])).toEqual([
      ['k8s/inside.yaml', 'real'],
      ['k8s/real.yaml', 'real'],
    ]);
    expect(report.notes.map((n: Record<string, unknown>) => [n.file, n.message])).toEqual([
      ['k8s/dangling.yaml', 'skipped: a symbolic link to missing.yaml, which does not exist'],
      [
        'k8s/escape.yaml',
        'skipped: a symbolic link to ../outside/secret.yaml, outside the folder being checked; not read',
      ],
      ['k8s/loop.yaml', 'skipped: a symbolic link that loops (loop.yaml)'],
      [
        'k8s/pipe.yaml',
        'skipped: not a regular file (a pipe, socket or device is not read while walking a folder)',
      ],
      [
        'k8s/shared',
        `skipped: a symbolic link to a folder (${path.join(dir, 'outside')}); links to folders are not followed while walking (they can loop): name the folder to check it`,
      ],
    ]);
    expect(r.code).toBe(1);
  });

  it('follows a link to a file a user names, as the user asked', async () => {
    write('outside/secret.yaml', deployment('outside', '9'));
    symlinkSync('outside/secret.yaml', path.join(dir, 'named.yaml'));
    const r = await check(['-f', 'json', 'named.yaml']);
    expect(r.json().findings.map((f: Record<string, unknown>) => f.name)).toEqual(['outside']);
  });
});
