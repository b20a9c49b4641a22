/**
 * What a YAML document may cost: aliases are bounded by what they expand to, not by how many there are;
 * a document too large to parse in bounded memory is refused from its text before any parser runs;
 * and large inputs of ordinary shape (many keys, large JSON) are read in linear time and memory.
 * Each refusal is an error naming the file, the line and the limit; the other documents are still read.
 */
import { checkText, parseManifests } from '../../src/manifest';
import { RULES } from './fake-rule';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

const POD = lines(
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: ok}',
  'spec: {containers: [{name: app, command: [fake-server, --workers, "3"]}]}',
);

/** The shape from the report: 999 containers whose args are all one 100,000-item sequence. */
function aliasFlood(items: number, aliases: number): string {
  const rows = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: flood}',
    `x: &a [${Array(items).fill('1').join(',')}]`,
    'spec:',
    '  containers:',
  ];
  for (let i = 0; i < aliases; i++) rows.push(`  - {name: c${i}, image: x, args: *a}`);
  return lines(...rows);
}

describe('aliases are bounded by what they expand to', () => {
  it('refuses 999 aliases of a 100,000-item sequence (100 million nodes), naming line and limit', () => {
    const text = aliasFlood(100_000, 999);
    expect(text.length).toBeLessThan(300_000);
    const { documents, errors } = parseManifests(`${text}---\n${POD}`, 'flood.yaml');
    // The 9th alias crosses 1,000,000 nodes (9 × 100,001 + the sequence itself): line 7 + 8, at the alias.
    expect(errors.map((e) => e.message)).toEqual([
      'flood.yaml:15:32: document 0 holds more than 1,000,000 nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it',
    ]);
    expect(documents.map((d) => d.index)).toEqual([1]);
  });

  it('reads a document with thousands of aliases that expand to little', () => {
    const text = lines(
      'apiVersion: v1',
      'kind: List',
      'x: &cmd [fake-server, --workers, "2"]',
      'items:',
      ...Array.from(
        { length: 2000 },
        (_, i) => `- {kind: Pod, metadata: {name: p${i}}, spec: {containers: [{command: *cmd}]}}`,
      ),
    );
    const report = checkText(text, 'many.yaml', { rules: RULES });
    expect(report.errors).toEqual([]);
    expect(report.findings).toHaveLength(2000);
    // An aliased field is where its anchor wrote it.
    expect(report.findings[1999].origin).toMatchObject({ name: 'p1999', line: 3, column: 34 });
  });

  it('counts merge keys and nested anchors too, and takes the limit as an option', () => {
    const text = lines(
      'base: &base {a: 1, b: 2, c: 3, d: 4}', // 9 nodes
      'one: {<<: *base, e: 5}',
      'two: {<<: *base, f: 6}',
    );
    expect(parseManifests(text, 'm.yaml', { maxNodes: 40 }).errors).toEqual([]);
    expect(parseManifests(text, 'm.yaml', { maxNodes: 30 }).errors.map((e) => e.message)).toEqual([
      'm.yaml:3:11: document 0 holds more than 30 nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it',
    ]);
  });

  it('follows YAML: an alias means the closest anchor of that name before it', () => {
    const text = lines('a: &x [1, 2, 3, 4, 5, 6, 7, 8]', 'b: &x 1', 'c: [*x, *x, *x, *x, *x, *x, *x, *x]');
    // 1 + (2 + 9) + (2) + (2 + 1 + 8) = 25 nodes when the second *x counts the scalar.
    expect(parseManifests(text, 'r.yaml', { maxNodes: 25 }).errors).toEqual([]);
  });

  it('reads a self-referencing alias without looping', () => {
    const { documents, errors } = parseManifests('a: &a [1, *a]\n', 'loop.yaml');
    expect(errors).toEqual([]);
    expect(documents).toHaveLength(1);
  });
});

describe('documents too large to parse are refused from their text', () => {
  it('refuses a document of more nodes than the limit without parsing it, and reads the others', () => {
    const big = lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'data:',
      ...Array.from({ length: 1100 }, (_, i) => `  k${i}: v`),
    );
    const text = `${POD}---\n${big}---\n${POD}`;
    const report = checkText(text, 'big.yaml', { rules: RULES, maxNodes: 1000 });
    expect(report.errors.map((e) => e.message)).toEqual([
      'big.yaml:5:1: a YAML document of about 2,208 nodes is too large to read (the limit is 1,000 nodes per document, to bound memory); split it into smaller documents, or give it as JSON (kubectl get … -o json), which is read whole',
    ]);
    // The documents around it keep their index and their lines.
    expect(report.findings.map((f) => [f.origin.document, f.origin.line])).toEqual([
      [0, 4],
      [2, 1113],
    ]);
  });

  it('refuses a document that is the whole stream, with no marker', () => {
    const flow = `x: [${Array(2000).fill('a').join(',')}]\n`;
    const { documents, errors } = parseManifests(flow, 'flow.yaml', { maxNodes: 1000 });
    expect(documents).toEqual([]);
    expect(errors.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^a YAML document of about 2,002 nodes/),
    ]);
  });

  it('reads JSON of any size whole (JSON.parse, not the YAML parser)', () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({
      kind: 'ConfigMap',
      metadata: { name: `c${i}` },
    }));
    const { documents, errors } = parseManifests(JSON.stringify({ kind: 'List', items }), 'l.json', {
      maxNodes: 1000,
    });
    expect(errors).toEqual([]);
    expect(documents).toHaveLength(1);
  });
});

describe('large inputs of ordinary shape', () => {
  it('still refuses duplicate keys, each with its line, in a map of 20,000 keys', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`);
    keys.push('k17: again');
    const { errors } = parseManifests(
      lines('kind: ConfigMap', 'data:', ...keys.map((k) => `  ${k}`)),
      'dup.yaml',
    );
    expect(errors.map((e) => e.message)).toEqual([
      'dup.yaml:20003:3: invalid YAML in document 0: Map keys must be unique',
    ]);
  });

  it('locates findings in a large JSON document by streaming, with the same answer as for a small one', () => {
    const pod = (i: number, workers: number) => ({
      kind: 'Pod',
      metadata: { name: `p${i}` },
      spec: { containers: [{ name: 'app', command: ['fake-server', '--workers', String(workers)] }] },
    });
    const filler = 'x'.repeat(2000);
    const items = Array.from({ length: 2500 }, (_, i) =>
      i % 500 === 7 ? pod(i, 2) : { kind: 'ConfigMap', data: { filler } },
    );
    const text = JSON.stringify({ kind: 'List', items }, null, 1);
    expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    const large = checkText(text, 'l.json', { rules: RULES, json: true });
    const small = checkText(
      JSON.stringify({ kind: 'List', items: items.filter((x) => x.kind === 'Pod') }, null, 1),
      's.json',
      {
        rules: RULES,
        json: true,
      },
    );
    expect(large.findings.map((f) => f.path)).toEqual(
      small.findings.map((f) => f.path.replace(/items\[(\d)\]/, (_m, n) => `items[${Number(n) * 500 + 7}]`)),
    );
    // Each finding points at its own "2": the line of the pod's third command word.
    const lineOf = (path: string) => {
      const i = Number(/items\[(\d+)\]/.exec(path)?.[1]);
      const json = text.split('\n');
      const start = json.findIndex((l) => l.includes(`"p${i}"`));
      return json.findIndex((l, n) => n > start && l.trim() === '"2"') + 1;
    };
    expect(large.findings.map((f) => f.origin.line)).toEqual(large.findings.map((f) => lineOf(f.path)));
  });
});
