/**
 * Text → Kubernetes documents, with the line and column of every field so findings can point at the
 * exact `args[3]` a user wrote. YAML (multi-document, as `helm template` prints it) and JSON both go
 * through eemeli/yaml's `parseAllDocuments`, which keeps source ranges. Pure: no IO.
 */

import {
  type Node as JsonNode,
  type ParseError,
  parseTree as parseJsonTree,
  visit as visitJson,
} from 'jsonc-parser';
import {
  Composer,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  Parser,
} from 'yaml';
import { type DocumentSpan, estimateNodes, removeDocuments, splitDocuments } from './documents';
import { InputError } from './errors';
import { lineOf, lineStarts } from './lines';

/**
 * Nodes per document, aliases expanded. A Kubernetes object is at most 1.5 MiB in etcd (its default
 * --max-request-bytes) and a few thousand nodes; a `kubectl get … -o yaml` List of a thousand
 * Deployments is about 250,000. Kubernetes' own reader bounds alias expansion the same way, by the
 * share of decoded nodes that come from aliases (go-yaml v2/v3 decode.go, `allowedAliasRatio`: at most
 * about 400,000 alias-driven nodes).
 */
export const MAX_DOCUMENT_NODES = 1_000_000;

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
  /** `locate` for many paths at once: for large JSON, one pass over the text instead of one per path. */
  locateAll(paths: readonly string[]): Position[];
  /**
   * The YAML syntax tree, with ranges into the text as given, when `keepSyntax` asked for it and no
   * document was removed before parsing (`oneproc fix` edits by these ranges instead of parsing again).
   */
  readonly syntax?: Document.Parsed;
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
   * At most this many nodes per YAML document (default `MAX_DOCUMENT_NODES`): estimated from the text
   * before parsing, so a document too large to parse in bounded memory is refused without being parsed,
   * then counted with every alias expanded, so an "alias bomb" (a few lines that expand to billions of
   * nodes) is refused without being expanded. Each refusal is an error naming the line and the limit.
   */
  readonly maxNodes?: number;
  /**
   * At most this many alias uses per document, weighted as eemeli/yaml's `maxAliasCount` does.
   * @default - no count limit: `maxNodes` bounds what aliases expand to, whatever their number
   */
  readonly maxAliasCount?: number;
  /**
   * Documents not to read (from `splitDocuments`, e.g. the templates `templateDocuments` finds): each
   * stays an empty document, so the others keep their index and lines.
   */
  readonly skip?: readonly DocumentSpan[];
  /** Keep each YAML document's syntax tree (`ManifestDocument.syntax`). */
  readonly keepSyntax?: boolean;
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
  const maxNodes = options.maxNodes ?? MAX_DOCUMENT_NODES;
  // Documents too large to parse are refused from their text; they and the ones the caller skips are
  // removed, so the parser never reads them, and positions map back to the original lines.
  const skip = options.skip ?? [];
  const skipped = new Set(skip.map((s) => s.start));
  const refused: Array<{ span: DocumentSpan; error: InputError }> = [];
  for (const span of splitDocuments(text)) {
    if (skipped.has(span.start)) continue;
    const estimate = estimateNodes(text, span.start, span.end);
    if (estimate <= maxNodes) continue;
    const detail = `a YAML document of about ${count(estimate)} nodes is too large to read (the limit is ${count(maxNodes)} nodes per document, to bound memory); split it into smaller documents, or give it as JSON (kubectl get … -o json), which is read whole`;
    refused.push({ span, error: new InputError(detail, file, span.line, 1) });
  }
  const excision = removeDocuments(text, [...skip, ...refused.map((r) => r.span)]);
  const source = excision.source;
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + excision.linesBefore(offset), column: col };
  };
  let docs: Iterable<Document.Parsed>;
  try {
    // `merge: true`: Kubernetes' YAML reader (go-yaml) honours `<<` merge keys, so oneproc does too.
    // `logLevel: 'error'`: a key that is itself a map (`name: {{ .Release.Name }}` in an unrendered chart
    // template) would otherwise make the yaml library print a Node process warning on stderr.
    // `uniqueKeys: false`: the library compares each key with every earlier key of its map, quadratic
    // time (a 2 MB map of 200,000 keys takes minutes); `inspectTree` finds duplicates with a set instead.
    const composer = new Composer({ merge: true, logLevel: 'error', uniqueKeys: false });
    docs = withFastEnv(
      composer.compose(new Parser(lineCounter.addNewLine).parse(source)) as Iterator<Document.Parsed>,
    );
  } catch (err) {
    for (const r of refused) yield r.error;
    yield new InputError(`cannot be read as YAML: ${messageOf(err)}`, file);
    return;
  }
  let index = 0;
  let next = 0; // the next refusal to yield, in the order of the stream
  try {
    for (const doc of docs) {
      const at = excision.originalOffset(doc.range?.[0] ?? 0);
      while (next < refused.length && refused[next].span.start <= at) yield refused[next++].error;
      const item = readDocument(doc, index++, file, position, {
        ...options,
        maxNodes,
        // Ranges index the text only when nothing was cut out of it.
        keepSyntax: options.keepSyntax === true && source === text,
      });
      if (item) yield item;
    }
    while (next < refused.length) yield refused[next++].error;
  } catch (err) {
    // The parser itself failed (not a syntax error, which it reports per document): say where it stopped.
    yield new InputError(`cannot be read as YAML after document ${index - 1}: ${messageOf(err)}`, file);
  }
}

/**
 * The yaml library's parser reads `process.env.LOG_TOKENS` once per token and its composer
 * `process.env.LOG_STREAM` once per document (eemeli/yaml src/parse/parser.ts `*next`,
 * src/compose/composer.ts `*next`), to print them when debugging the library. `process.env` is not a
 * plain object: each read is a call into the C library's `getenv`, a linear search of the environment,
 * and a 5 MiB stream has about two million tokens, so those reads cost more than a second, as much as
 * the parsing they guard. Each pull from the parser therefore runs with `process.env` standing in for an
 * object that holds those two variables as they are (so the library's debugging output still works)
 * and inherits every other one from the real environment; the real one is back before anything else
 * runs. Nothing the parser reads or does is otherwise changed.
 */
function* withFastEnv<T>(items: Iterator<T>): Generator<T> {
  const env = process.env;
  // Defined, not assigned: an assignment would look up the prototype chain and could write through to
  // the real environment (test runners give `process.env` as a proxy whose `set` does).
  const own = (value: string | undefined) => ({
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  const shadow: NodeJS.ProcessEnv = Object.create(env, {
    LOG_TOKENS: own(env.LOG_TOKENS),
    LOG_STREAM: own(env.LOG_STREAM),
  });
  for (;;) {
    const real = process.env;
    let swapped = false;
    try {
      process.env = shadow;
      swapped = true;
    } catch {
      // An environment that cannot be replaced (a frozen `process`): parse with the real one.
    }
    let item: IteratorResult<T>;
    try {
      item = items.next();
    } finally {
      if (swapped) process.env = real;
    }
    if (item.done) return;
    yield item.value;
  }
}

function readDocument(
  doc: Document.Parsed,
  index: number,
  file: string,
  position: (offset: number) => Position,
  options: ParseOptions & { maxNodes: number },
): ManifestDocument | InputError | undefined {
  const start = position(doc.range?.[0] ?? 0);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = position(first.pos[0]);
    const summary = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return new InputError(`invalid YAML in document ${index}: ${summary}`, file, at.line, at.column);
  }
  const aliases: AliasTargets = new Map();
  const problem = inspectTree(doc, options.maxNodes, aliases);
  if (problem) {
    const at = position(problem.offset);
    const detail =
      problem.kind === 'duplicate'
        ? `invalid YAML in document ${index}: Map keys must be unique`
        : `document ${index} holds more than ${count(options.maxNodes)} nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it`;
    return new InputError(detail, file, at.line, at.column);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? -1 });
  } catch (err) {
    const why = /alias count/i.test(messageOf(err))
      ? 'too many alias expansions (a YAML "alias bomb"?); refusing to expand it'
      : `cannot be converted to data: ${messageOf(err)}`;
    return new InputError(`document ${index} ${why}`, file, start.line, start.column);
  }
  // A document of only comments (or a bare `---`) is empty, not a null object.
  if (value === null || value === undefined) return undefined;
  const locate = (path: string) => {
    const node = nodeAt(doc, aliases, path);
    return node?.range ? position(node.range[0]) : start;
  };
  const located = { index, value, start, locate, locateAll: (paths: readonly string[]) => paths.map(locate) };
  return options.keepSyntax ? { ...located, syntax: doc } : located;
}

/**
 * Each alias of a document and the node it stands for, found in one pass (the yaml library's
 * `Alias.resolve(doc)` walks the whole document on every call: quadratic over a file's findings).
 */
type AliasTargets = Map<Node, Node>;

/** What `inspectTree` found wrong, at an offset of the text. */
interface TreeProblem {
  readonly kind: 'duplicate' | 'too-large';
  readonly offset: number;
}

/**
 * One pass over a document's syntax tree, in document order, without expanding anything: the number of
 * nodes it holds once every alias is expanded (each alias counts the expanded size of its anchor, which
 * YAML 1.2.2 §7.1 says is the closest one before it; sizes of anchored nodes are remembered, so the pass
 * is linear in the text however deep the aliases nest), and duplicate keys of a map (YAML 1.2.2 §3.2.1.1:
 * keys are unique; Kubernetes' strict decoding refuses duplicates too). The first problem stops it.
 */
function inspectTree(doc: Document.Parsed, maxNodes: number, targets: AliasTargets): TreeProblem | undefined {
  interface Frame {
    readonly node: Node;
    /** The map's pairs or the sequence's items, read in place (no copy per collection). */
    readonly items: readonly unknown[];
    readonly isMap: boolean;
    /** The next item to read. */
    next: number;
    /** The value of the pair whose key was just read, still to visit. */
    pending: unknown;
    hasPending: boolean;
    /** Children of a map visited so far (its keys are the even ones). */
    visited: number;
    size: number;
    readonly keys?: Set<unknown>;
  }
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  let total = 0;
  const stack: Frame[] = [];
  const open = (node: Node): Frame => {
    const mapping = isMap(node);
    return {
      node,
      items: isCollection(node) ? node.items : [],
      isMap: mapping,
      next: 0,
      pending: undefined,
      hasPending: false,
      visited: 0,
      size: 1,
      keys: mapping ? new Set() : undefined,
    };
  };
  // Returns the size `child` adds, or a problem.
  const visit = (child: unknown, frame: Frame | undefined, asKey: boolean): number | TreeProblem | Frame => {
    if (child === null || child === undefined || typeof child !== 'object') return 0;
    const node = child as Node;
    if (asKey && frame?.keys && isScalar(node) && typeof node.value !== 'symbol') {
      if (frame.keys.has(node.value)) return { kind: 'duplicate', offset: node.range?.[0] ?? 0 };
      frame.keys.add(node.value);
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      // An alias of an enclosing node (a cycle) has no size yet: it adds one node, as toJS shares it.
      const size = (target && sizes.get(target)) ?? 1;
      total += size;
      if (total > maxNodes) return { kind: 'too-large', offset: node.range?.[0] ?? 0 };
      return size;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    total += 1;
    if (total > maxNodes) return { kind: 'too-large', offset: node.range?.[0] ?? 0 };
    if (isCollection(node)) return open(node);
    if (node.anchor) sizes.set(node, 1);
    return 1;
  };
  const root = visit(doc.contents, undefined, false);
  if (typeof root === 'object' && 'kind' in root) return root;
  if (typeof root === 'object') stack.push(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    // The children in order: a pair gives its key, then its value; any other item is one child.
    let child: unknown;
    if (frame.hasPending) {
      child = frame.pending;
      frame.pending = undefined;
      frame.hasPending = false;
    } else if (frame.next < frame.items.length) {
      const item = frame.items[frame.next++];
      if (isPair(item)) {
        child = item.key;
        frame.pending = item.value;
        frame.hasPending = true;
      } else child = item;
    } else {
      stack.pop();
      if (frame.node.anchor) sizes.set(frame.node, frame.size);
      const parent = stack[stack.length - 1];
      if (parent) parent.size += frame.size;
      continue;
    }
    const result = visit(child, frame, frame.isMap && frame.visited++ % 2 === 0);
    if (typeof result === 'number') frame.size += result;
    else if ('kind' in result) return result;
    else stack.push(result);
  }
  return undefined;
}

/** `1,000,000`. */
function count(n: number): string {
  return n.toLocaleString('en-US');
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
  // jsonc-parser's tree takes about 50 bytes of memory per byte of JSON (3 GB for a 61 MB List): past a
  // few MiB, positions come from one streaming pass per batch of paths instead.
  const large = text.length > JSON_TREE_MAX_CHARS;
  const locate = (path: string): Position => {
    if (large) return locateAll([path])[0];
    if (tree === null) tree = jsonTree(text);
    const node = tree ? jsonNodeAt(tree, pathSegments(path)) : undefined;
    return node ? position(node.offset) : start;
  };
  const locateAll = (paths: readonly string[]): Position[] => {
    if (!large) return paths.map(locate);
    const offsets = jsonOffsets(text, paths);
    return offsets.map((offset) => (offset === undefined ? start : position(offset)));
  };
  return { index: 0, value, start, locate, locateAll };
}

/** Above this size, a JSON document is located by streaming (`jsonOffsets`) rather than with a tree. */
const JSON_TREE_MAX_CHARS = 4 * 1024 * 1024;

/**
 * Where each path's deepest existing node starts, in one streaming pass over the text (jsonc-parser's
 * `visit`), following only the paths asked for: the same answer as `jsonNodeAt` on a tree (for a
 * repeated key, the last one, as JSON.parse keeps it), in memory proportional to the paths.
 */
function jsonOffsets(text: string, paths: readonly string[]): Array<number | undefined> {
  interface Trie {
    readonly children: Map<string | number, Trie>;
    offset?: number;
  }
  const root: Trie = { children: new Map() };
  const ends = paths.map((path) => {
    const trail = [root];
    for (const segment of pathSegments(path)) {
      const last = trail[trail.length - 1];
      let next = last.children.get(segment);
      if (!next) {
        next = { children: new Map() };
        last.children.set(segment, next);
      }
      trail.push(next);
    }
    return trail;
  });
  // One frame per open object or array: the trie node it matched (or none) and where its next value goes.
  const frames: Array<{ trie: Trie | undefined; array: boolean; index: number; key?: string }> = [];
  const valueAt = (offset: number): Trie | undefined => {
    const parent = frames[frames.length - 1];
    let trie: Trie | undefined;
    if (!parent) trie = root;
    else if (parent.array) trie = parent.trie?.children.get(parent.index++);
    else trie = parent.key === undefined ? undefined : parent.trie?.children.get(parent.key);
    if (trie) trie.offset = offset;
    return trie;
  };
  try {
    visitJson(
      text,
      {
        onObjectBegin: (offset) => {
          frames.push({ trie: valueAt(offset), array: false, index: 0 });
        },
        onObjectProperty: (property) => {
          frames[frames.length - 1].key = property;
        },
        onObjectEnd: () => {
          frames.pop();
        },
        onArrayBegin: (offset) => {
          frames.push({ trie: valueAt(offset), array: true, index: 0 });
        },
        onArrayEnd: () => {
          frames.pop();
        },
        onLiteralValue: (_value, offset) => {
          valueAt(offset);
        },
      },
      { disallowComments: true },
    );
  } catch {
    // Absurd nesting overflows jsonc-parser's recursion: what was found so far still stands.
  }
  return ends.map((trail) => {
    for (let i = trail.length - 1; i >= 0; i--) if (trail[i].offset !== undefined) return trail[i].offset;
    return undefined;
  });
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
function offsetPosition(starts: readonly number[], offset: number): Position {
  const line = lineOf(starts, offset);
  return { line: line + 1, column: offset - starts[line] + 1 };
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
function nodeAt(doc: Document.Parsed, aliases: AliasTargets, path: string): Node | undefined {
  let best: Node | undefined = doc.contents ?? undefined;
  let node: unknown = doc.contents;
  for (const segment of pathSegments(path)) {
    node = resolve(aliases, node);
    let next: unknown;
    if (typeof segment === 'number' && isSeq(node)) {
      next = node.items[segment];
    } else if (typeof segment === 'string' && isMap(node)) {
      const pair = findPair(aliases, node, segment, 0);
      // `key:` with no value: point at the key.
      next = pair ? (pair.value ?? pair.key) : undefined;
    }
    if (next === undefined || next === null) break;
    node = next;
    best = node as Node;
  }
  return best;
}

function resolve(aliases: AliasTargets, node: unknown): unknown {
  for (let i = 0; i < 100 && isAlias(node); i++) node = aliases.get(node);
  return node;
}

function findPair(aliases: AliasTargets, map: unknown, key: string, depth: number): Pair | undefined {
  if (!isMap(map) || depth > 20) return undefined;
  let merged: Pair | undefined;
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (k === key || (isScalar(pair.key) && String(pair.key.value) === key)) return pair;
    const isMerge = isScalar(pair.key) && (typeof k === 'symbol' || k === '<<') && pair.key.source === '<<';
    if (isMerge && merged === undefined) {
      const sources = resolve(aliases, pair.value);
      const list = isSeq(sources) ? sources.items.map((s) => resolve(aliases, s)) : [sources];
      for (const source of list) {
        merged = findPair(aliases, source, key, depth + 1);
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
