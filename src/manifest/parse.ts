/**
 * Text → Kubernetes documents, with the line and column of every field so findings can point at the
 * exact `args[3]` a user wrote. YAML (multi-document, as `helm template` prints it) and JSON both go
 * through eemeli/yaml's `parseAllDocuments`, which keeps source ranges. Pure: no IO.
 */

import { type Node as JsonNode, type ParseError, parseTree as parseJsonTree } from 'jsonc-parser';
import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  Parser,
} from 'yaml';
import { InputError } from './errors';

/** A 1-based position in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One document of a file. */
export interface ManifestDocument {
  /** 0-based index among the file's documents (empty ones included, so users can count `---`). */
  readonly index: number;
  /** The document as plain JSON-like data. */
  readonly value: unknown;
  /** Where the document starts. */
  readonly start: Position;
  /**
   * Where a field path such as `spec.template.spec.containers[0].args[3]` is written. When the exact
   * field is absent (a default, a finding about a whole container), the closest enclosing node.
   */
  locate(path: string): Position;
}

export interface ParseResult {
  /** The documents that could be read; empty documents (only comments, `---`) are left out. */
  readonly documents: ManifestDocument[];
  /** One error per document that could not be read; the other documents are still returned. */
  readonly errors: InputError[];
}

export interface ParseOptions {
  /**
   * Treat the text as JSON: when YAML's stricter rules reject valid JSON (duplicate keys, say),
   * fall back to `JSON.parse` (the document then has no positions beyond its start).
   */
  readonly json?: boolean;
  /**
   * At most this many alias expansions per document. An "alias bomb" (a few lines that expand to
   * billions of nodes) is refused with an error instead of exhausting memory. Default 1000.
   */
  readonly maxAliasCount?: number;
}

/** Reads every document of `text`. `file` is only used in error messages. Never throws. */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const documents: ManifestDocument[] = [];
  const errors: InputError[] = [];
  for (const item of readManifests(text, file, options)) {
    if (item instanceof InputError) errors.push(item);
    else documents.push(item);
  }
  return { documents, errors };
}

/**
 * `parseManifests` one document at a time, in order: each document (or the error that replaces it) is
 * yielded as soon as it is read, so a caller that checks and drops it keeps memory flat on large
 * streams such as a whole cluster's `helm template` output. Never throws.
 */
export function* readManifests(
  text: string,
  file: string,
  options: ParseOptions = {},
): Generator<ManifestDocument | InputError> {
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // JSON (a .json file, or `kubectl get -o json` on standard input) goes through JSON.parse, which is
  // about a hundred times faster than a YAML parser on the same text and follows JSON's own rules.
  const json = options.json || /^\s*[[{]/.test(text.slice(0, 1024)) ? readJson(text, file) : undefined;
  if (json instanceof InputError) {
    if (options.json) {
      yield json;
      return;
    }
  } else if (json) {
    if (json.value !== null && json.value !== undefined) yield json;
    return;
  }
  let docs: Iterable<Document.Parsed>;
  try {
    // `merge: true`: Kubernetes' YAML reader (go-yaml) honours `<<` merge keys, so oneproc does too.
    // `logLevel: 'error'`: a key that is itself a map (`name: {{ .Release.Name }}` in an unrendered chart
    // template) would otherwise make the yaml library print a Node process warning on stderr.
    const composer = new Composer({ merge: true, logLevel: 'error' });
    docs = composer.compose(new Parser(lineCounter.addNewLine).parse(text)) as Iterable<Document.Parsed>;
  } catch (err) {
    yield new InputError(`cannot be read as YAML: ${messageOf(err)}`, file);
    return;
  }
  let index = 0;
  try {
    for (const doc of docs) {
      const item = readDocument(doc, index++, file, position, options);
      if (item) yield item;
    }
  } catch (err) {
    // The parser itself failed (not a syntax error, which it reports per document): say where it stopped.
    yield new InputError(`cannot be read as YAML after document ${index - 1}: ${messageOf(err)}`, file);
  }
}

function readDocument(
  doc: Document.Parsed,
  index: number,
  file: string,
  position: (offset: number) => Position,
  options: ParseOptions,
): ManifestDocument | InputError | undefined {
  const start = position(doc.range?.[0] ?? 0);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = position(first.pos[0]);
    const summary = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return new InputError(`invalid YAML in document ${index}: ${summary}`, file, at.line, at.column);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 1000 });
  } catch (err) {
    const why = /alias count/i.test(messageOf(err))
      ? 'too many alias expansions (a YAML "alias bomb"?); refusing to expand it'
      : `cannot be converted to data: ${messageOf(err)}`;
    return new InputError(`document ${index} ${why}`, file, start.line, start.column);
  }
  // A document of only comments (or a bare `---`) is empty, not a null object.
  if (value === null || value === undefined) return undefined;
  return {
    index,
    value,
    start,
    locate: (path) => {
      const node = nodeAt(doc, path);
      return node?.range ? position(node.range[0]) : start;
    },
  };
}

/**
 * One JSON document: the data from `JSON.parse` (duplicate keys allowed, the last wins), positions
 * from jsonc-parser's syntax tree, built only when a finding asks for one. Errors name line and column.
 */
function readJson(text: string, file: string): ManifestDocument | InputError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = messageOf(err);
    // JSON.parse does not always say where (V8 often prints a snippet instead); jsonc-parser does.
    const offset = jsonErrorOffset(text);
    const summary = message
      .replace(/, (\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/ at position \d+.*$/s, '')
      .replace(/ in JSON$/, '')
      .replace(/^Unexpected end of JSON input/, 'unexpected end of input')
      .replace(/^[A-Z]/, (c) => c.toLowerCase());
    if (offset === undefined) return new InputError(`invalid JSON: ${summary}`, file);
    const at = offsetPosition(lineStarts(text), offset);
    return new InputError(`invalid JSON: ${summary}`, file, at.line, at.column);
  }
  let starts: number[] | undefined;
  let tree: JsonNode | undefined | null = null;
  const position = (offset: number) => {
    starts ??= lineStarts(text);
    return offsetPosition(starts, offset);
  };
  const start = position(Math.max(text.search(/\S/), 0));
  return {
    index: 0,
    value,
    start,
    locate: (path) => {
      if (tree === null) tree = jsonTree(text);
      const node = tree ? jsonNodeAt(tree, pathSegments(path)) : undefined;
      return node ? position(node.offset) : start;
    },
  };
}

/**
 * jsonc-parser recurses once per nesting level, so absurdly deep input overflows the stack: then
 * there is simply no position (the data itself came from JSON.parse, which does not recurse).
 */
function jsonErrorOffset(text: string): number | undefined {
  try {
    const problems: ParseError[] = [];
    parseJsonTree(text, problems, { disallowComments: true, allowTrailingComma: false });
    return problems[0]?.offset;
  } catch {
    return undefined;
  }
}

function jsonTree(text: string): JsonNode | undefined {
  try {
    return parseJsonTree(text, [], { disallowComments: true });
  } catch {
    return undefined;
  }
}

/** The deepest node along `segments`; for a repeated key the last one, as JSON.parse keeps it. */
function jsonNodeAt(root: JsonNode, segments: readonly (string | number)[]): JsonNode {
  let node = root;
  for (const segment of segments) {
    let next: JsonNode | undefined;
    if (node.type === 'array' && typeof segment === 'number') {
      next = node.children?.[segment];
    } else if (node.type === 'object' && typeof segment === 'string') {
      for (const property of node.children ?? []) {
        if (property.children?.[0]?.value === segment) next = property.children[1] ?? property.children[0];
      }
    }
    if (!next) break;
    node = next;
  }
  return node;
}

/** Offsets where each line starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function offsetPosition(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** Splits `spec.containers[0].args[3]` into `['spec', 'containers', 0, 'args', 3]`. */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  }
  return segments;
}

/** The deepest node of `doc` along `path`, following aliases and `<<` merge keys. */
function nodeAt(doc: Document.Parsed, path: string): Node | undefined {
  let best: Node | undefined = doc.contents ?? undefined;
  let node: unknown = doc.contents;
  for (const segment of pathSegments(path)) {
    node = resolve(doc, node);
    let next: unknown;
    if (typeof segment === 'number' && isSeq(node)) {
      next = node.items[segment];
    } else if (typeof segment === 'string' && isMap(node)) {
      const pair = findPair(doc, node, segment, 0);
      // `key:` with no value: point at the key.
      next = pair ? (pair.value ?? pair.key) : undefined;
    }
    if (next === undefined || next === null) break;
    node = next;
    best = node as Node;
  }
  return best;
}

function resolve(doc: Document.Parsed, node: unknown): unknown {
  for (let i = 0; i < 100 && isAlias(node); i++) node = node.resolve(doc);
  return node;
}

function findPair(doc: Document.Parsed, map: unknown, key: string, depth: number): Pair | undefined {
  if (!isMap(map) || depth > 20) return undefined;
  let merged: Pair | undefined;
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (k === key || (isScalar(pair.key) && String(pair.key.value) === key)) return pair;
    const isMerge = isScalar(pair.key) && (typeof k === 'symbol' || k === '<<') && pair.key.source === '<<';
    if (isMerge && merged === undefined) {
      const sources = resolve(doc, pair.value);
      const list = isSeq(sources) ? sources.items.map((s) => resolve(doc, s)) : [sources];
      for (const source of list) {
        merged = findPair(doc, source, key, depth + 1);
        if (merged) break;
      }
    }
  }
  return merged;
}

/** An error's message, without `instanceof` (errors may come from another realm). */
function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string') {
    return (err as Error).message;
  }
  return String(err);
}
