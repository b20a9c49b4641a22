/**
 * Inputs that hold nothing to check are not a pass: an empty pipe (the `helm template` before it
 * failed), an empty or wrong file named on the command line — exit 2, naming the input. A file found
 * while walking a folder that holds no Kubernetes object is skipped with a note, and the exit status is
 * the findings'. `--format json` lists every input that could not be read as a note (reason
 * `unreadable`), so a script reading the JSON alone sees everything that was not checked.
 */
import '@microsoft/jest-sarif';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { RULES } from '../manifest/fake-rule';
import { runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-no-objects-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const check = (argv: string[], stdin?: string) =>
  runCheck(argv, { cwd: dir, stdin, engine: { rules: RULES } });

const deployment = (name: string, workers: number) =>
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          command: [fake-server, --workers, "${workers}"]
`;

describe('standard input with no Kubernetes object', () => {
  it.each([
    ['nothing', ''],
    ['a newline (echo "" | …)', '\n'],
    ['only comments and separators', '# rendered by helm\n---\n---\n'],
  ])('exits 2 on %s: the command before the pipe may have failed', async (_, stdin) => {
    const r = await check(['-'], stdin);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: no Kubernetes objects in standard input: it is empty: did the command before the pipe fail?\n',
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 1 unreadable input (see above) in 0 documents, 0 containers checked\n',
    );
  });

  it('exits 2 on YAML that is not a manifest', async () => {
    const r = await check(['-'], 'replicaCount: 2\nimage: {repository: shop}\n');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: no Kubernetes objects in standard input: no document has a kind (YAML or JSON, but not a Kubernetes manifest)\n',
    );
  });

  it('is an error notification in SARIF, and an unreadable note in JSON', async () => {
    const sarif = await check(['-f', 'sarif', '-'], '');
    expect(sarif.code).toBe(2);
    const log = JSON.parse(sarif.out) as Log;
    expect(log).toBeValidSarifLog();
    expect(log.runs[0].invocations?.[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [
        {
          level: 'error',
          message: {
            text: 'no Kubernetes objects in standard input: it is empty: did the command before the pipe fail?',
          },
        },
      ],
    });
    const json = await check(['-f', 'json', '-'], '');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toEqual({
      findings: [],
      notes: [
        {
          message:
            'no Kubernetes objects in standard input: it is empty: did the command before the pipe fail?',
          file: '<stdin>',
          line: null,
          kind: null,
          namespace: null,
          name: null,
          container: null,
          reason: 'unreadable',
        },
      ],
      checked: { documents: 0, containers: 0 },
    });
  });

  it('accepts an empty List: a live cluster may have nothing of a kind', async () => {
    const r = await check(['-'], 'apiVersion: v1\nkind: List\nitems: []\n');
    expect(r).toEqual({
      code: 0,
      err: '',
      out: '0 errors, 0 warnings in 1 document, 0 containers checked\n',
    });
  });
});

describe('a file named on the command line with no Kubernetes object', () => {
  it.each([
    ['empty.yaml', '', 'it is empty (or holds only comments)'],
    ['comments.yml', '# TODO\n---\n', 'it is empty (or holds only comments)'],
    ['values.yaml', 'workers: 4\n', 'no document has a kind (YAML or JSON, but not a Kubernetes manifest)'],
    [
      'package.json',
      '{"name": "shop"}',
      'no document has a kind (YAML or JSON, but not a Kubernetes manifest)',
    ],
    [
      'list.json',
      '[{"kind": "Pod"}]',
      'no document has a kind (YAML or JSON, but not a Kubernetes manifest)',
    ],
    ['scalar.yaml', 'hello\n', 'no document has a kind (YAML or JSON, but not a Kubernetes manifest)'],
    ['blank-kind.yaml', 'kind: ""\n', 'no document has a kind (YAML or JSON, but not a Kubernetes manifest)'],
  ])('%s: exits 2 naming the file', async (name, text, why) => {
    write(name, text);
    const r = await check([name]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`oneproc check: no Kubernetes objects in ${name}: ${why}\n`);
  });

  it('still checks and reports the other inputs', async () => {
    write('empty.yaml', '');
    write('web.yaml', deployment('web', 4));
    const r = await check(['-f', 'json', 'empty.yaml', 'web.yaml']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.out);
    expect(report.findings.map((f: { name: string }) => f.name)).toEqual(['web']);
    expect(report.notes).toEqual([expect.objectContaining({ file: 'empty.yaml', reason: 'unreadable' })]);
    expect(report.checked).toEqual({ documents: 1, containers: 1 });
  });

  it('a manifest without workloads is a manifest: exit 0', async () => {
    write('svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n');
    expect((await check(['svc.yaml'])).code).toBe(0);
  });
});

describe('a folder holding files with no Kubernetes object', () => {
  it('skips each with a note and exits by the findings', async () => {
    write('k8s/web.yaml', deployment('web', 4));
    write('k8s/empty.yaml', '');
    write('k8s/values.yaml', 'workers: 4\n');
    write('k8s/.github/workflows/ci.yml', 'on: push\njobs: {}\n');
    const r = await check(['k8s']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    const note = 'skipped: no Kubernetes objects in it (no document has a kind), so it is not a manifest';
    for (const file of ['k8s/.github/workflows/ci.yml', 'k8s/empty.yaml', 'k8s/values.yaml']) {
      expect(r.out).toContain(`${file}  note\n  ${note}\n`);
    }
    expect(r.out).toMatch(
      /\n1 error, 0 warnings, 3 notes on what was not followed in 1 document, 1 container checked\n$/,
    );

    write('k8s/web.yaml', deployment('web', 1));
    const clean = await check(['-f', 'json', 'k8s']);
    expect(clean.code).toBe(0);
    const report = JSON.parse(clean.out);
    expect(report.notes.map((n: { file: string; message: string }) => [n.file, n.message])).toEqual([
      ['k8s/.github/workflows/ci.yml', note],
      ['k8s/empty.yaml', note],
      ['k8s/values.yaml', note],
    ]);
    expect(report.notes.some((n: { reason?: string }) => 'reason' in n)).toBe(false);
  });
});

describe('--format json lists unreadable inputs as notes', () => {
  it('with reason unreadable, the file and the line, besides standard error', async () => {
    write('broken.yaml', 'kind: Pod\nspec: [\n');
    write('web.yaml', deployment('web', 2));
    const r = await check(['-f', 'json', 'missing.yaml', 'broken.yaml', 'web.yaml']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.out);
    expect(report.findings).toHaveLength(1);
    expect(report.notes).toEqual([
      {
        message: 'no such file or folder',
        file: 'missing.yaml',
        line: null,
        kind: null,
        namespace: null,
        name: null,
        container: null,
        reason: 'unreadable',
      },
      expect.objectContaining({ file: 'broken.yaml', line: 3, reason: 'unreadable' }),
    ]);
    expect(report.notes[1].message).toMatch(/^invalid YAML in document 0: /);
    // Standard error names them once each, as before.
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      'oneproc check: missing.yaml: no such file or folder',
      expect.stringMatching(/^oneproc check: broken\.yaml:3:\d+: invalid YAML in document 0: /),
    ]);
  });
});
