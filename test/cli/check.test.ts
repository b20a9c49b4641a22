/**
 * `oneproc check` in process, with a test-only server rule (`fake-server --workers N`) so the
 * formats and exit codes are tested independently of the built-in rules. The real command as a
 * subprocess is tested in check-process.test.ts.
 */
import '@microsoft/jest-sarif';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log } from 'sarif';
import { VERSION } from '../../src/version';
import { RULES } from '../manifest/fake-rule';
import { type Captured, runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-check-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return name;
}

function check(argv: string[], options: { stdin?: string; color?: boolean } = {}): Promise<Captured> {
  return runCheck(argv, { ...options, cwd: dir, engine: { rules: RULES } });
}

const deployment = (name: string, workers: number, annotations = '') =>
  [
    'apiVersion: apps/v1', //                                            1
    'kind: Deployment', //                                               2
    'metadata:', //                                                      3
    `  name: ${name}`, //                                                4
    '  namespace: shop', //                                              5
    annotations ? `  annotations: ${annotations}` : '  labels: {}', //   6
    'spec:', //                                                          7
    '  template:', //                                                    8
    '    spec:', //                                                      9
    '      containers:', //                                             10
    '        - name: app', //                                           11
    `          command: [fake-server, --workers, "${workers}"]`, //      12
    '',
  ].join('\n');

describe('oneproc check: exit codes', () => {
  it('exits 0 when no container starts more than one worker', async () => {
    write('ok.yaml', deployment('web', 1));
    const r = await check(['ok.yaml']);
    expect(r).toEqual({ code: 0, err: '', out: '0 errors, 0 warnings in 1 document, 1 container checked\n' });
  });

  it('exits 1 on an error finding', async () => {
    write('web.yaml', deployment('web', 4));
    expect((await check(['web.yaml'])).code).toBe(1);
  });

  it('exits 0 on warnings, and 1 with --strict', async () => {
    write('w.yaml', deployment('web', 0).replace('"0"', '"$(W)"'));
    expect((await check(['w.yaml'])).code).toBe(0);
    const strict = await check(['--strict', 'w.yaml']);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain(
      '0 errors, 1 warning in 1 document, 1 container checked (--strict: warnings fail the check)',
    );
  });

  it('exits 0 when the only error is exempted', async () => {
    write(
      'x.yaml',
      deployment(
        'web',
        4,
        '{oneproc.dev/allow-multiple-workers: "legacy", oneproc.dev/allow-until: "2999-01-01"}',
      ),
    );
    const r = await check(['x.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  Exempted until 2999-01-01: legacy\n');
    expect(r.out).toContain('0 errors, 0 warnings, 1 exempted in 1 document, 1 container checked');
  });

  it.each([
    [
      ['--format', 'xml', 'a.yaml'],
      "oneproc check: unknown --format 'xml' (expected text, json, sarif or html)",
    ],
    [['--bogus', 'a.yaml'], "oneproc check: Unknown option '--bogus'"],
    [[], 'oneproc check: name at least one file or folder, or - for standard input'],
    [['--image-config', 'config.json'], 'oneproc check: --image-config goes with --image-root DIR'],
    [['--format'], "oneproc check: Option '-f, --format <value>' argument missing"],
  ])('exits 2 with usage on %p', async (argv, message) => {
    const r = await check(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
    expect(r.err).toContain('Usage: oneproc check [--format text|json|sarif|html] [--strict] [PATH|-]...');
  });

  it('prints usage and exits 0 with --help', async () => {
    const r = await check(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: oneproc check/);
  });

  it('exits 2 on a bad file but still checks and reports the others', async () => {
    write('good.yaml', deployment('web', 3));
    write('bad.yaml', 'kind: Pod\nspec: [\n');
    const r = await check(['--format', 'json', 'bad.yaml', 'missing.yaml', 'good.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: missing.yaml: no such file or folder\n' +
        'oneproc check: bad.yaml:3:1: invalid YAML in document 0: Flow sequence in block collection must be sufficiently indented and end with a ]\n',
    );
    const report = JSON.parse(r.out);
    expect(report.findings.map((f: { file: string; line: number }) => [f.file, f.line])).toEqual([
      ['good.yaml', 12],
    ]);
    expect(report.checked).toEqual({ documents: 1, containers: 1 });
  });
});

describe('oneproc check --format json', () => {
  it('prints exactly the documented shape', async () => {
    write('web.yaml', deployment('web', 4));
    write('x.yaml', deployment('legacy', 2, '{oneproc.dev/allow-multiple-workers: "moving to Redis"}'));
    const r = await check(['--format', 'json', 'web.yaml', 'x.yaml']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(Object.keys(report)).toEqual(['findings', 'notes', 'checked']);
    expect(report.checked).toEqual({ documents: 2, containers: 2 });
    const [web, legacy] = report.findings;
    expect(Object.keys(web)).toEqual([
      'severity',
      'rule',
      'message',
      'path',
      'workers',
      'file',
      'document',
      'kind',
      'namespace',
      'name',
      'container',
      'line',
      'cause',
    ]);
    expect({ ...web, message: undefined }).toEqual({
      severity: 'error',
      rule: 'fake-server',
      message: undefined,
      path: 'spec.template.spec.containers[0].command[2]',
      workers: 4,
      file: 'web.yaml',
      document: 0,
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      container: 'app',
      line: 12,
      cause: { kind: 'cli', name: '--workers', at: { field: 'spec.template.spec.containers[0].command[2]' } },
    });
    expect(web.message).toContain('fake-server starts 4 worker processes');
    expect(legacy).toMatchObject({
      name: 'legacy',
      severity: 'error',
      exempted: { reason: 'moving to Redis' },
    });
    expect(Object.keys(legacy).slice(-3)).toEqual(['line', 'exempted', 'cause']);
  });

  it('prints null for origin fields the input does not have, and no line for stdin JSON fallbacks', async () => {
    const pod =
      '{"kind":"Pod","kind":"Pod","spec":{"containers":[{"command":["fake-server","--workers","2"]}]}}';
    write('pod.json', pod);
    const report = JSON.parse((await check(['-f', 'json', 'pod.json'])).out);
    expect(report.findings[0]).toMatchObject({
      namespace: null,
      name: null,
      container: null,
      document: 0,
      line: 1,
    });
  });

  it('says in text that a run with nothing to follow checked nothing', async () => {
    // A folder holding only a compose file is not "without manifests": its service is said instead.
    mkdirSync(path.join(dir, 'stack'));
    write('stack/compose.yaml', 'services:\n  cache:\n    image: redis:7\n');
    const r = await check(['stack']);
    expect(r.out).toBe(
      'stack/compose.yaml:3  note  compose service cache\n' +
        '  service cache runs the image redis:7 as it is, which oneproc cannot see, so what it runs was not checked\n\n' +
        '0 errors, 0 warnings, 1 note on what was not followed: nothing was checked — no container, image, compose service or Procfile process could be followed\n',
    );
  });

  it('prints an empty report for files without workloads', async () => {
    write('svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n');
    const r = await check(['--format=json', 'svc.yaml']);
    expect(r).toEqual({
      code: 0,
      err: '',
      out: `${JSON.stringify({ findings: [], notes: [], checked: { documents: 1, containers: 0 } }, null, 2)}\n`,
    });
  });
});

describe('oneproc check --format text', () => {
  it('prints file:line:col, level, rule, object and container, then the message and the field', async () => {
    write('deploy/web.yaml', deployment('web', 4));
    const r = await check(['deploy']);
    const json = JSON.parse((await check(['--format', 'json', 'deploy'])).out);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('deploy/web.yaml:12:45  error  fake-server  Deployment shop/web  container app');
    expect(lines[1]).toBe(`  ${json.findings[0].message}`);
    expect(lines[2]).toBe('  field: spec.template.spec.containers[0].command[2]');
    expect(lines[3]).toBe('');
    expect(lines[4]).toBe('1 error, 0 warnings in 1 document, 1 container checked');
    expect(r.out).not.toContain('\u001b[');
  });

  it('colours only when asked (a TTY without NO_COLOR)', async () => {
    write('web.yaml', deployment('web', 4));
    const r = await check(['web.yaml'], { color: true });
    expect(r.out).toContain('\u001b[1mweb.yaml:12:45\u001b[0m  \u001b[31merror\u001b[0m  fake-server');
  });
});

describe('oneproc check: inputs', () => {
  it('reads standard input with -', async () => {
    const r = await check(['--format', 'json', '-'], {
      stdin: `${deployment('a', 1)}---\n${deployment('b', 2)}`,
    });
    const report = JSON.parse(r.out);
    expect(r.code).toBe(1);
    expect(report.findings.map((f: Record<string, unknown>) => [f.file, f.document, f.line, f.name])).toEqual(
      [['<stdin>', 1, 25, 'b']],
    );
    expect(report.checked).toEqual({ documents: 2, containers: 2 });
  });

  it('walks folders for *.yaml, *.yml and *.json, skipping node_modules and .git, in name order', async () => {
    write('b/one.yml', deployment('one', 2));
    write(
      'a/two.json',
      JSON.stringify({
        kind: 'Pod',
        metadata: { name: 'two' },
        spec: { containers: [{ command: ['fake-server', '--workers', '3'] }] },
      }),
    );
    write('a/notes.txt', deployment('txt', 5));
    write('node_modules/pkg/x.yaml', deployment('dep', 5));
    write('.git/x.yaml', deployment('git', 5));
    write('c/UPPER.YAML', deployment('upper', 6));
    const report = JSON.parse((await check(['-f', 'json', '.'])).out);
    expect(report.findings.map((f: Record<string, unknown>) => [f.file, f.name])).toEqual([
      ['a/two.json', 'two'],
      ['b/one.yml', 'one'],
      ['c/UPPER.YAML', 'upper'],
    ]);
  });

  it('skips Helm templates found in a folder, saying how to check them, but not named files', async () => {
    const template = 'kind: Deployment\nspec:\n  {{- if .Values.x }}\n  replicas: 2\n  {{- end }}\n';
    write('chart/templates/deployment.yaml', template);
    write('chart/values.yaml', 'workers: 4\n');
    const folder = await check(['chart']);
    expect(folder.code).toBe(0);
    expect(folder.err).toBe('');
    expect(folder.out).toContain(
      'chart/templates/deployment.yaml:1  note\n  skipped: a template (Helm, Go…: {{ … }} at line 3), not plain YAML; check its rendered output instead: helm template … | oneproc check -\n',
    );
    const named = await check(['chart/templates/deployment.yaml']);
    expect(named.code).toBe(2);
    expect(named.err).toMatch(
      /^oneproc check: chart\/templates\/deployment\.yaml:3:\d+: invalid YAML in document 0/,
    );
  });

  it('refuses an alias bomb and a binary file with exit 2', async () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      rows.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(',')}]`,
      );
    }
    write('bomb.yaml', `${rows.join('\n')}\n`);
    write('logo.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const r = await check(['bomb.yaml', 'logo.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: bomb.yaml:6:29: document 0 holds more than 1,000,000 nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it\n' +
        'oneproc check: logo.yaml:3: is a binary file, not YAML or JSON (NUL byte at offset 8)\n',
    );
  });

  it('notes a folder without manifests, without failing', async () => {
    mkdirSync(path.join(dir, 'empty'));
    const r = await check(['empty']);
    expect(r).toEqual({
      code: 0,
      out:
        'empty  note\n  holds no manifests, Dockerfiles, compose files or Procfiles\n\n' +
        '0 errors, 0 warnings, 1 note on what was not followed: nothing was checked — no container, image, compose service or Procfile process could be followed\n',
      err: '',
    });
    const json = await check(['-f', 'json', 'empty']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).notes).toEqual([
      {
        message: 'holds no manifests, Dockerfiles, compose files or Procfiles',
        file: 'empty',
        line: null,
        kind: null,
        namespace: null,
        name: null,
        container: null,
      },
    ]);
    expect(json.err).toBe(
      'oneproc check: note: empty: holds no manifests, Dockerfiles, compose files or Procfiles\n',
    );
  });

  it('reports a List with more containers than a call has arguments', async () => {
    const items = Array.from({ length: 150_000 }, (_, i) => ({
      kind: 'Pod',
      metadata: { name: `p${i}` },
      spec: { containers: [{ command: ['fake-server', '--workers', '2'] }] },
    }));
    write('big.json', JSON.stringify({ kind: 'List', items }));
    const r = await check(['-f', 'json', 'big.json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.findings).toHaveLength(150_000);
    expect(report.findings[149_999]).toMatchObject({ name: 'p149999', line: 1 });
  });

  it('reads standard input only once when - is named twice', async () => {
    const r = await check(['-f', 'json', '-', '-'], { stdin: deployment('a', 2) });
    expect(JSON.parse(r.out).findings).toHaveLength(1);
  });
});

describe('oneproc check --format sarif', () => {
  it('writes a valid SARIF 2.1.0 log that points at the field', async () => {
    write('deploy/web.yaml', deployment('web', 4));
    write(
      'deploy/x.yaml',
      deployment(
        'legacy',
        2,
        '{oneproc.dev/allow-multiple-workers: "moving", oneproc.dev/allow-until: "2999-12-31"}',
      ),
    );
    const r = await check(['--format', 'sarif', 'deploy']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.out) as Log;
    expect(log).toBeValidSarifLog();
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const [run] = log.runs;
    expect(run.tool.driver).toMatchObject({ name: 'oneproc', version: VERSION });
    expect(run.tool.driver.rules?.map((rule) => rule.id)).toEqual(['fake-server']);
    expect(run.tool.driver.rules?.[0].help?.text).toContain('oneproc.dev/allow-multiple-workers');
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: pathToFileURL(`${dir}/`).href } });
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    const [web, legacy] = run.results ?? [];
    expect(web).toMatchObject({ ruleId: 'fake-server', ruleIndex: 0, level: 'error' });
    expect(legacy).toMatchObject({ ruleId: 'fake-server', ruleIndex: 0, level: 'note' });
    expect(web.locations?.[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'deploy/web.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 12, startColumn: 45 },
    });
    expect(web.locations?.[0].logicalLocations).toEqual([
      { name: 'app', fullyQualifiedName: 'shop/Deployment/web/app' },
    ]);
    expect(legacy.suppressions).toEqual([{ kind: 'inSource', justification: 'moving (until 2999-12-31)' }]);
  });

  it('reports unreadable inputs as tool execution notifications', async () => {
    write('bad.yaml', 'kind: Pod\nspec: [\n');
    const r = await check(['--format', 'sarif', 'bad.yaml']);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.out) as Log;
    expect(log).toBeValidSarifLog();
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations?.[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [
        {
          level: 'error',
          descriptor: { id: 'InputError' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'bad.yaml', uriBaseId: '%SRCROOT%' },
                region: { startLine: 3, startColumn: 1 },
              },
            },
          ],
        },
      ],
    });
  });

  it('gives findings from standard input a logical location only', async () => {
    const r = await check(['--format', 'sarif', '-'], { stdin: deployment('web', 4) });
    const log = JSON.parse(r.out) as Log;
    expect(log).toBeValidSarifLog();
    expect(log.runs[0].results?.[0].locations).toEqual([
      { logicalLocations: [{ name: 'app', fullyQualifiedName: 'shop/Deployment/web/app' }] },
    ]);
  });

  it('uses a file URI for files outside the working directory', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'oneproc-outside-'));
    try {
      writeFileSync(path.join(outside, 'w.yaml'), deployment('web', 4));
      const log = JSON.parse((await check(['--format', 'sarif', path.join(outside, 'w.yaml')])).out) as Log;
      expect(log.runs[0].results?.[0].locations?.[0].physicalLocation?.artifactLocation).toEqual({
        uri: pathToFileURL(path.join(outside, 'w.yaml')).href,
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
