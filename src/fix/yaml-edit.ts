/**
 * Edits to YAML and JSON manifests by source range, never by re-serialising: eemeli/yaml's nodes keep
 * `range` offsets into the text, so a value is replaced where it is written and a new key is inserted
 * in the style of its neighbours (block or flow, the same indentation, JSON's quotes). Pure: no IO.
 * @see https://eemeli.org/yaml/#nodes — `range: [start, valueEnd, nodeEnd]`
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { numberSpans } from './numbers';
import type { TextEdit } from './text-edit';

/** Every document of a manifest file, with ranges into `text` (the same reader settings as src/manifest/parse.ts). */
export function parseDocuments(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, { merge: true, uniqueKeys: false, logLevel: 'silent' });
  return Array.isArray(docs) ? docs : [];
}

/** What a field path leads to in a document's syntax tree. */
export type Located =
  | { readonly kind: 'node'; readonly node: Node }
  | { readonly kind: 'missing'; readonly parent: Node; readonly key: string | number }
  | { readonly kind: 'unfollowed'; readonly why: string };

/**
 * The node at `segments` (`['spec', 'replicas']`), following only what is written: an alias or a
 * merge key on the way is not followed (an edit there would change every place that uses the anchor).
 * For a map key repeated in the text, the last one (as JSON.parse and the manifest reader keep it).
 */
export function locate(root: unknown, segments: readonly (string | number)[]): Located {
  let node = root as Node | null | undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (!node) return { kind: 'unfollowed', why: 'the field is empty' };
    if (isAlias(node)) {
      return {
        kind: 'unfollowed',
        why: `it comes from the anchor &${node.source}, which other places may share`,
      };
    }
    if (isMap(node)) {
      let found: Node | undefined;
      let present = false;
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (key === seg || (typeof seg === 'number' && key === String(seg))) {
          found = (pair.value ?? undefined) as Node | undefined;
          present = true;
        } else if (key === '<<') {
          if (i === segments.length - 1) continue;
        }
      }
      if (!present) {
        if (node.items.some((p) => isScalar(p.key) && p.key.value === '<<')) {
          return {
            kind: 'unfollowed',
            why: 'the map takes keys from a merge key (<<), which other places may share',
          };
        }
        if (i === segments.length - 1) return { kind: 'missing', parent: node, key: seg };
        return { kind: 'unfollowed', why: `it has no ${String(seg)}` };
      }
      node = found;
    } else if (isSeq(node)) {
      if (typeof seg !== 'number' || seg >= node.items.length)
        return { kind: 'unfollowed', why: 'no such item' };
      node = node.items[seg] as Node;
    } else {
      return { kind: 'unfollowed', why: 'not a map or list' };
    }
  }
  if (!node) return { kind: 'unfollowed', why: 'the field is empty' };
  if (isAlias(node)) {
    return {
      kind: 'unfollowed',
      why: `it is the alias *${node.source}, whose anchor other places may share`,
    };
  }
  return { kind: 'node', node };
}

/**
 * The edit that writes `1` instead of the `occurrence`-th whole number `n` of a scalar's value, at the
 * same place in its source. Digits map one to one from value to source in plain, single-quoted, block
 * and double-quoted scalars, unless an escape (`\x34`, `\u0034`, `\0`) writes one: then a reason.
 */
export function numberEdit(text: string, scalar: Scalar, n: number, occurrence: number): TextEdit | string {
  const range = scalar.range;
  if (!range) return 'its place in the file is not known';
  let from = range[0];
  const to = range[1];
  const source = text.slice(from, to);
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    const header = source.indexOf('\n');
    if (header < 0) return 'its place in the file is not known';
    from += header + 1;
  } else if (scalar.type === 'QUOTE_DOUBLE' && /\\[0-9xuU]/.test(source)) {
    return 'it is written with escapes (\\x, \\u, \\0) that may spell digits; edit it by hand';
  }
  const spans = numberSpans(text.slice(from, to), n);
  // The same count in the value as in the source: else folding or escapes moved something.
  const value = typeof scalar.value === 'string' ? scalar.value : String(scalar.value);
  if (spans.length !== numberSpans(value, n).length || occurrence >= spans.length) {
    return 'its text in the file does not match its value (escapes or folded lines); edit it by hand';
  }
  const [start, end] = spans[occurrence];
  return { start: from + start, end: from + end, text: '1' };
}

/** A scalar's new value written as its old one was: the same quotes (JSON always quotes a non-number). */
export function scalarEdit(text: string, scalar: Scalar, value: string, json: boolean): TextEdit | undefined {
  const range = scalar.range;
  if (!range) return undefined;
  const old = text.slice(range[0], range[1]);
  const numeric = /^\d+$/.test(value);
  let written: string;
  if (old.startsWith('"')) written = JSON.stringify(value);
  else if (old.startsWith("'")) written = `'${value}'`;
  else if (json && !numeric) written = JSON.stringify(value);
  else written = value;
  return { start: range[0], end: range[1], text: written };
}

/**
 * Inserts `key: value` as the first entry of a map, in its style: a block map gets a line at the
 * indentation of its first key; a flow map (and JSON) gets `key: value,` before its first entry, on a
 * line of its own when the entries are on lines of their own. `value` is written as given.
 */
export function insertFirst(
  text: string,
  map: YAMLMap,
  key: string,
  value: string,
  json: boolean,
): TextEdit | undefined {
  const first = map.items[0];
  const firstKey = first && isScalar(first.key) ? first.key : undefined;
  const quoted = json || (firstKey?.range ? text[firstKey.range[0]] === '"' : false);
  const k = quoted ? JSON.stringify(key) : key;
  if (!firstKey?.range) {
    // An empty flow map, `{}`: `{key: value}`.
    if (!map.flow || !map.range) return undefined;
    const open = text.indexOf('{', map.range[0]);
    if (open < 0 || open >= map.range[1]) return undefined;
    return { start: open + 1, end: open + 1, text: `${k}: ${value}` };
  }
  const at = firstKey.range[0];
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const prefix = text.slice(lineStart, at);
  const indent = /^[ \t]*$/.test(prefix) ? prefix : ' '.repeat(prefix.length);
  // The file's own line ending (a file written on Windows keeps CRLF).
  const nl = text[lineStart - 2] === '\r' ? '\r\n' : '\n';
  if (!map.flow) return { start: at, end: at, text: `${k}: ${value}${nl}${indent}` };
  const open = map.range ? text.lastIndexOf('{', at) : -1;
  const ownLine = open >= 0 && text.slice(open + 1, at).includes('\n');
  return { start: at, end: at, text: ownLine ? `${k}: ${value},${nl}${indent}` : `${k}: ${value}, ` };
}
