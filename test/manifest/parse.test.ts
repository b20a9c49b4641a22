import { checkText, decodeText, InputError, parseManifests, pathSegments } from '../../src/manifest';
import { RULES } from './fake-rule';

/** Joins lines with \n; the line numbers in the comments are 1-based. */
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

const HELM_OUTPUT = lines(
  '---', //                                        1
  '# Source: web/templates/service.yaml', //        2
  'apiVersion: v1', //                              3
  'kind: Service', //                               4
  'metadata: {name: web}', //                       5
  '---', //                                         6
  '# Source: web/templates/deployment.yaml', //     7
  'apiVersion: apps/v1', //                         8
  'kind: Deployment', //                            9
  'metadata:', //                                  10
  '  name: web', //                                11
  '  namespace: shop', //                          12
  'spec:', //                                      13
  '  template:', //                                14
  '    spec:', //                                  15
  '      containers:', //                          16
  '        - name: app', //                        17
  '          image: example/web:1', //             18
  '          command: ["fake-server"]', //         19
  '          args:', //                            20
  '            - --port=8000', //                  21
  '            - --workers', //                    22
  '            - "4"', //                          23
  '        - name: worker', //                     24
  '          command: [fake-server, --workers, "3"]', // 25
  '---', //                                        26
  '# only a comment', //                           27
);

describe('checkText', () => {
  it('reads a map used as a key (an unrendered `{{ .Release.Name }}`) without a process warning', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const report = checkText(
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n',
        'pod.yaml',
        {
          rules: RULES,
        },
      );
      expect(report.errors).toEqual([]);
      expect(report.documents).toBe(1);
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('reports file, document, line and column of the decisive field in multi-document YAML', () => {
    const report = checkText(HELM_OUTPUT, 'rendered.yaml', { rules: RULES });
    expect(report.errors).toEqual([]);
    expect(report.documents).toBe(2);
    expect(report.containers).toBe(2);
    expect(report.findings.map((f) => ({ path: f.path, ...f.origin }))).toEqual([
      {
        path: 'spec.template.spec.containers[0].args[2]',
        file: 'rendered.yaml',
        document: 1,
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'app',
        line: 23,
        column: 15,
      },
      {
        path: 'spec.template.spec.containers[1].command[2]',
        file: 'rendered.yaml',
        document: 1,
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'worker',
        line: 25,
        column: 45,
      },
    ]);
  });

  it('locates fields in JSON, including a kubectl List', () => {
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { kind: 'ConfigMap', metadata: { name: 'c' } },
          {
            kind: 'Pod',
            metadata: { name: 'p' },
            spec: { containers: [{ name: 'a', command: ['fake-server', '--workers', '2'] }] },
          },
        ],
      },
      null,
      2,
    );
    const report = checkText(json, 'list.json', { rules: RULES, json: true });
    const [finding] = report.findings;
    expect(finding.path).toBe('items[1].spec.containers[0].command[2]');
    const line = json.split('\n').findIndex((l) => l.includes('"2"')) + 1;
    expect(finding.origin).toMatchObject({ file: 'list.json', document: 0, line, column: 15 });
  });

  it('reads JSON by JSON rules: with a repeated key the last one wins, and is the one located', () => {
    const json = [
      '{"kind": "Pod",', //                                                          1
      ' "spec": {"containers": [{"command": ["fake-server", "--workers", "9"]}]},', // 2
      ' "spec": {"containers": [{"command": ["fake-server", "--workers", "5"]}]}}', //  3
    ].join('\n');
    const report = checkText(json, 'dup.json', { rules: RULES, json: true });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => [f.workers, f.origin.line, f.origin.column])).toEqual([[5, 3, 67]]);
  });

  it('reads JSON on standard input (kubectl get -o json) as JSON, and YAML flow mappings as YAML', () => {
    const json =
      '{\n  "kind": "Pod",\n  "spec": {"containers": [{"command": ["fake-server", "--workers", "3"]}]}\n}\n';
    expect(checkText(json, '<stdin>', { rules: RULES }).findings[0].origin).toMatchObject({
      line: 3,
      column: 68,
    });
    const flow =
      '{kind: Pod, spec: {containers: [{command: [fake-server, --workers, "2"]}]}}\n---\n{kind: Pod}\n';
    const report = checkText(flow, '<stdin>', { rules: RULES });
    expect(report.errors).toEqual([]);
    expect(report.documents).toBe(2);
    expect(report.findings[0].origin).toMatchObject({ line: 1, column: 68 });
  });

  it('names file, line and column of broken JSON', () => {
    const report = checkText('{\n  "kind": "Pod",\n  "spec": }\n', 'bad.json', { json: true });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ name: 'InputError', file: 'bad.json', line: 3, column: 11 });
    expect(report.errors[0].message).toBe("bad.json:3:11: invalid JSON: unexpected token '}'");
  });

  it('follows anchors, aliases and << merge keys to the line written', () => {
    const yaml = lines(
      'kind: Pod', //                                                1
      'metadata: {name: p}', //                                      2
      'x-defaults: &defaults', //                                    3
      '  command: [fake-server, --workers, "6"]', //                 4
      'spec:', //                                                    5
      '  containers:', //                                            6
      '    - name: app', //                                          7
      '      <<: *defaults', //                                      8
    );
    const [finding] = checkText(yaml, 'merge.yaml', { rules: RULES }).findings;
    expect(finding.path).toBe('spec.containers[0].command[2]');
    expect(finding.workers).toBe(6);
    expect(finding.origin).toMatchObject({ line: 4, column: 37 });
  });

  it('points at the closest written node when the path is not in the file', () => {
    const yaml = lines('kind: Pod', 'spec:', '  containers:', '    - name: app');
    const [doc] = parseManifests(yaml, 'f.yaml').documents;
    expect(doc.locate('spec.containers[0].args[3]')).toEqual({ line: 4, column: 7 });
    expect(doc.locate('spec.containers[0]')).toEqual({ line: 4, column: 7 });
    expect(doc.locate('')).toEqual({ line: 1, column: 1 });
  });

  it('reports broken YAML with file and line, and still checks the other documents', () => {
    const yaml = lines(
      'kind: Pod', //                                                    1
      'spec: {containers: [{command: [fake-server, --workers, "2"]}]}', // 2
      '---', //                                                          3
      'kind: Deployment', //                                             4
      'spec:', //                                                        5
      '  template: [unclosed', //                                        6
      '---', //                                                          7
      'kind: Pod', //                                                    8
      'spec: {containers: [{command: [fake-server, --workers, "3"]}]}', // 9
    );
    const report = checkText(yaml, 'broken.yaml', { rules: RULES });
    expect(report.findings.map((f) => [f.origin.document, f.origin.line, f.workers])).toEqual([
      [0, 2, 2],
      [2, 9, 3],
    ]);
    expect(report.documents).toBe(2);
    expect(report.errors).toHaveLength(1);
    const [error] = report.errors;
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ name: 'InputError', file: 'broken.yaml', line: 7 });
    expect(error.message).toMatch(/^broken\.yaml:7:1: invalid YAML in document 1: Flow sequence/);
  });

  it('refuses duplicate keys with their line', () => {
    const report = checkText(lines('kind: Pod', 'spec: {}', 'kind: Pod'), 'dup.yaml');
    expect(report.errors[0]).toMatchObject({ file: 'dup.yaml', line: 3 });
    expect(report.errors[0].detail).toContain('Map keys must be unique');
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = lines(
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    );
    const report = checkText(bomb, 'bomb.yaml');
    expect(report.documents).toBe(0);
    expect(report.errors.map((e) => e.message)).toEqual([
      'bomb.yaml:7:8: document 0 holds more than 1,000,000 nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it',
    ]);
  });

  it('reads ordinary anchors and aliases', () => {
    const yaml = lines(
      'kind: Pod',
      'x: &cmd [fake-server, --workers, "2"]',
      'spec: {containers: [{command: *cmd}]}',
    );
    expect(checkText(yaml, 'a.yaml', { rules: RULES }).findings[0].workers).toBe(2);
  });

  it('reports absurd nesting as an error instead of overflowing the stack', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const report = checkText(deep, 'deep.yaml');
    expect(report.findings).toEqual([]);
    expect(report.errors.length + report.documents).toBeGreaterThan(0);
  });

  it.each([
    ['unclosed', '['.repeat(200_000), true, 'x.json: invalid JSON: unexpected end of input'],
    ['unclosed, as YAML', '['.repeat(200_000), false, undefined],
    ['closed', `${'['.repeat(200_000)}${']'.repeat(200_000)}`, true, undefined],
    ['objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, false, undefined],
  ])('survives absurdly deep JSON (%s)', (_name, text, json, error) => {
    const report = checkText(text, 'x.json', { json });
    if (error) expect(report.errors.map((e) => e.message)).toEqual([error]);
    expect(report.findings).toEqual([]);
  });

  it('still reports a finding in a deeply nested JSON object, at the document start', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text = `{"kind": "Pod", "metadata": {"annotations": {"x": ${JSON.stringify('y')}}, "junk": ${deep}},
 "spec": {"containers": [{"command": ["fake-server", "--workers", "2"]}]}}`;
    const report = checkText(text, 'deep.json', { rules: RULES, json: true });
    expect(report.findings.map((f) => [f.workers, f.origin.line, f.origin.column])).toEqual([[2, 1, 1]]);
  });

  it('skips empty documents and counts the ones it read', () => {
    const report = checkText('---\n# nothing\n---\n---\nkind: ConfigMap\n', 'e.yaml');
    expect(report).toEqual({ findings: [], documents: 1, objects: 1, containers: 0, errors: [] });
  });
});

describe('pathSegments', () => {
  it('splits a field path into keys and indexes', () => {
    expect(pathSegments('items[3].spec.containers[0].args[12]')).toEqual([
      'items',
      3,
      'spec',
      'containers',
      0,
      'args',
      12,
    ]);
    expect(pathSegments('')).toEqual([]);
  });
});

describe('decodeText', () => {
  const bytes = (...values: number[]) => Uint8Array.from(values);

  it('decodes UTF-8 and drops a byte-order mark', () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0x61, 0x3a, 0x20, 0xc3, 0xa9), 'a.yaml')).toBe('a: é');
  });

  it('decodes UTF-16 with a byte-order mark (Windows PowerShell redirection)', () => {
    const text = 'kind: Pod\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(decodeText(le, 'ps.yaml')).toBe(text);
  });

  it('refuses binary data with the line of the first NUL byte', () => {
    expect(() => decodeText(bytes(0x61, 0x0a, 0x62, 0x00, 0x63), 'image.yaml')).toThrow(
      new InputError('is a binary file, not YAML or JSON (NUL byte at offset 3)', 'image.yaml', 2),
    );
    try {
      decodeText(bytes(0x61, 0x0a, 0x62, 0x00), 'image.yaml');
    } catch (err) {
      expect(err).toMatchObject({ name: 'InputError', file: 'image.yaml', line: 2 });
      expect((err as Error).message).toBe(
        'image.yaml:2: is a binary file, not YAML or JSON (NUL byte at offset 3)',
      );
    }
  });

  it('refuses invalid UTF-8 with its line', () => {
    expect(() => decodeText(bytes(0x61, 0x0a, 0x0a, 0xff, 0xfe, 0x41), 'latin.yaml')).toThrow(
      'latin.yaml:3: is not valid UTF-8 text (a binary file?)',
    );
  });
});
