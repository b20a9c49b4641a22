/** A YAML stream cut into documents from its text alone: the cut, the weight, templates, emptying. */
import { parseManifests } from '../../src/manifest';
import {
  blankDocuments,
  estimateNodes,
  removeDocuments,
  splitDocuments,
  templateDocuments,
} from '../../src/manifest/documents';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

describe('cutting a stream into documents', () => {
  it('cuts at --- and ... lines only, even inside block scalars (YAML c-forbidden)', () => {
    const text = lines(
      'a: 1',
      '---',
      'b: |',
      '  text',
      '--- # next',
      'c: 3',
      '...',
      'd: 4',
      '---x: not a marker',
    );
    expect(splitDocuments(text).map((s) => [s.line, s.marked])).toEqual([
      [1, false],
      [2, true],
      [5, true],
      [8, false],
    ]);
  });

  it('estimates nodes from the text', () => {
    expect(estimateNodes('[a,b,c]')).toBe(3);
    expect(estimateNodes('- - - a\n')).toBe(4);
    expect(estimateNodes('a: 1\nb: {c: 2}\n')).toBe(6);
  });

  it('empties documents keeping every other index and line', () => {
    const text = lines('a: {{ x }}', '---', 'b: 2', '---', 'c: {{ y }}', 'd: 5', '...', '---', 'e: 6');
    const blanked = blankDocuments(text, templateDocuments(text));
    expect(blanked).toBe(lines('---', '---', 'b: 2', '---', '', '', '...', '---', 'e: 6'));
    expect(parseManifests(blanked, 't.yaml').documents.map((d) => [d.index, d.start.line])).toEqual([
      [1, 2],
      [3, 8],
    ]);
    expect(
      parseManifests(text.replace(/\{\{ \w \}\}/g, '1'), 't.yaml').documents.map((d) => d.index),
    ).toEqual([0, 1, 2, 3]);
  });
});

describe('removing documents', () => {
  it('leaves an empty document of one line and maps offsets and lines back', () => {
    const text = lines('a: 1', '---', 'b: [', '  2, 3]', '---', 'c: 4');
    const [, second] = splitDocuments(text);
    const cut = removeDocuments(text, [second]);
    expect(cut.source).toBe(lines('a: 1', '---', '---', 'c: 4'));
    const c = cut.source.indexOf('c: 4');
    expect(cut.originalOffset(c)).toBe(text.indexOf('c: 4'));
    expect(cut.linesBefore(c)).toBe(2);
    expect(cut.linesBefore(0)).toBe(0);
  });
});

describe('templates', () => {
  const isTemplate = (doc: string) => templateDocuments(doc).length > 0;

  it.each([
    ['an action on its own line', 'spec:\n  {{- if .Values.x }}\n  replicas: 2\n  {{- end }}\n'],
    ['a quoted value', 'image: "{{ .Values.image }}"\n'],
    ['an action spanning lines', 'x: {{ include "a"\n  (dict "b" 1) }}\n'],
    ['a value after a quoted #', 'a: "#" {{ .x }}\n'],
    ['a Go template comment', '{{/* a comment */}}\nkind: Pod\n'],
    ['an action after a # inside quotes', "a: 'x # {{ .y }}'\n"],
  ])('finds %s', (_name, doc) => {
    expect(isTemplate(doc)).toBe(true);
  });

  it.each([
    ['a YAML comment', 'kind: Pod # {{ not a template }}\n'],
    ['a whole-line comment', '# helm: {{ .Values.x }}\nkind: Pod\n'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions' own syntax, taken literally
    ['GitHub Actions expressions', 'run: echo ${{ secrets.TOKEN }}\n'],
    ['an unclosed {{', 'a: "{{"\n'],
  ])('does not take %s for a template', (_name, doc) => {
    expect(isTemplate(doc)).toBe(false);
  });

  it('gives the line of each template document and of its first {{', () => {
    const text = lines(
      'kind: A',
      '---',
      '# {{ no }}',
      'kind: B',
      'x: {{ .y }}',
      '---',
      'kind: C',
      '---',
      '{{ z }}',
    );
    expect(templateDocuments(text).map((t) => [t.line, t.template])).toEqual([
      [2, 5],
      [8, 9],
    ]);
  });
});
