/**
 * Python source → syntax tree, with tree-sitter's Python grammar (web-tree-sitter and the
 * tree-sitter-python WebAssembly build from npm: no native code, works offline). Loaded once, lazily.
 * Also a small evaluator for the expressions that set worker counts in real projects:
 * `4`, `int(os.getenv("WORKERS", "4"))`, `os.environ.get(...)`, `multiprocessing.cpu_count() * 2 + 1`,
 * and names assigned at module level (`WORKERS = …` then `workers=WORKERS`).
 */
import { readFileSync } from 'node:fs';
import type { Env, Word } from '../../shell/types';
import { sourcePath } from '../types';

// web-tree-sitter's types, kept narrow to what is used here.
export interface PyNode {
  readonly type: string;
  readonly text: string;
  readonly startPosition: { row: number; column: number };
  /** Offsets of the node's first and past-last characters in the parsed text (JavaScript string indices). */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly namedChildren: PyNode[];
  readonly children: PyNode[];
  childForFieldName(name: string): PyNode | null;
}

interface Parser {
  parse(text: string): { rootNode: PyNode } | null;
}

let parserPromise: Promise<Parser> | undefined;

/** The Python parser, loaded on first use. */
export function pythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const ts = require('web-tree-sitter') as {
      Parser: { init(): Promise<void>; new (): Parser & { setLanguage(l: unknown): void } };
      Language: { load(bytes: Uint8Array): Promise<unknown> };
    };
    await ts.Parser.init();
    // Bytes, not a path: loading by path makes web-tree-sitter import node:fs dynamically.
    const wasm = readFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const language = await ts.Language.load(new Uint8Array(wasm));
    const parser = new ts.Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses Python source; undefined when the parser cannot be loaded or the text is not Python. */
export async function parsePython(text: string): Promise<PyNode | undefined> {
  try {
    return (await pythonParser()).parse(text)?.rootNode ?? undefined;
  } catch {
    return undefined;
  }
}

/** How far `walk` goes. */
export interface WalkOptions {
  /** At most this many nodes are visited (default `WALK_LIMIT`); then `onLimit` is told the first node left. */
  readonly limit?: number;
  /**
   * Enter only the subtrees whose source text holds this character: a call holds `(`, an assignment
   * `=`, so a 400 KB list of numbers before `uvicorn.run(…)` costs one node, not 200,000.
   */
  readonly holding?: string;
  /** Whether to go below a node that was visited (default: always). */
  readonly into?: (node: PyNode) => boolean;
  /** Called once when the limit is reached, with the first node not visited. */
  readonly onLimit?: (next: PyNode) => void;
}

/**
 * Nodes one walk visits at most: ≈ 0.5 s of web-tree-sitter node access. Together with `holding`, a
 * file under the 1 MiB source cap reaches it only when it holds some 50,000 calls or more.
 */
export const WALK_LIMIT = 200000;

/** Every node below `root` (depth-first, in source order), bounded: reaching the bound is said to `onLimit`. */
export function* walk(root: PyNode, options: WalkOptions = {}): Generator<PyNode> {
  const limit = options.limit ?? WALK_LIMIT;
  const holds = options.holding === undefined ? () => true : holding(root, options.holding);
  const stack = holds(root) ? [root] : [];
  let n = 0;
  while (stack.length > 0) {
    if (n++ >= limit) {
      options.onLimit?.(stack[stack.length - 1]);
      return;
    }
    const node = stack.pop()!;
    yield node;
    if (options.into && !options.into(node)) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) if (holds(children[i])) stack.push(children[i]);
  }
}

/** A test of whether a node's source text holds `ch`: a binary search over its offsets in the file. */
function holding(root: PyNode, ch: string): (node: PyNode) => boolean {
  const text = root.text;
  const at: number[] = [];
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) at.push(root.startIndex + i);
  return (node) => {
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid] < node.startIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo < at.length && at[lo] < node.endIndex;
  };
}

/** Module-level `NAME = value` assignments, the last one winning. */
export function moduleAssignments(root: PyNode): Map<string, PyNode> {
  const out = new Map<string, PyNode>();
  for (const stmt of root.namedChildren) {
    const expr = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (expr?.type !== 'assignment') continue;
    const left = expr.childForFieldName('left');
    const right = expr.childForFieldName('right');
    if (left?.type === 'identifier' && right) out.set(left.text, right);
  }
  return out;
}

/** What an expression evaluates to, as a word for the rules: known text, a `$(nproc)` formula, or unknown. */
export function evaluate(node: PyNode, file: string, names: Map<string, PyNode>, env: Env, depth = 0): Word {
  const path = sourcePath(file, node.startPosition.row + 1);
  const unknown = (why: string): Word => ({ text: node.text, unknown: why, path });
  if (depth > 20) return unknown('the expression nests more than 20 levels deep, past what oneproc follows');
  switch (node.type) {
    case 'integer':
      // Python's 1_000, 0x1F, 0o17 and 0b11 are all JavaScript Number literals once the underscores go.
      return { text: String(Number(node.text.replaceAll('_', ''))), path };
    case 'string': {
      const content = node.namedChildren
        .filter((c) => c.type === 'string_content')
        .map((c) => c.text)
        .join('');
      return node.namedChildren.some((c) => c.type === 'interpolation')
        ? unknown('an f-string')
        : { text: content, path };
    }
    case 'parenthesized_expression':
      return node.namedChildren[0]
        ? evaluate(node.namedChildren[0], file, names, env, depth + 1)
        : unknown('empty');
    case 'identifier': {
      // `b = a` chains of any length are followed here, not by recursion, which stops at `depth`.
      let value = names.get(node.text);
      const aliases = new Set([node.text]);
      while (value?.type === 'identifier' && names.has(value.text)) {
        if (aliases.has(value.text)) return unknown(`${value.text} is assigned from itself`);
        aliases.add(value.text);
        value = names.get(value.text);
      }
      if (value && value !== node) {
        const word = evaluate(value, file, names, env, depth + 1);
        return word;
      }
      if (node.text === 'None') return { text: 'None', path };
      return unknown(`${node.text} is not set in this module`);
    }
    case 'call':
      return evaluateCall(node, file, names, env, depth, unknown);
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
      if (!left || !right || !op || !['+', '-', '*', '//'].includes(op))
        return unknown('an expression oneproc does not evaluate');
      const l = asArithmetic(evaluate(left, file, names, env, depth + 1));
      const r = asArithmetic(evaluate(right, file, names, env, depth + 1));
      if (l === undefined || r === undefined) return unknown('it depends on a value not known here');
      const wrap = (x: string) => (/^-?\d+$|^\$\(nproc\)$/.test(x) ? x : `(${x})`);
      const expr = `${wrap(l)}${op === '//' ? '/' : op}${wrap(r)}`;
      if (!expr.includes('$(nproc)')) {
        const n = Function(`"use strict"; return Math.trunc(${expr});`)() as number;
        return Number.isFinite(n) ? { text: String(n), path } : unknown('not a number');
      }
      return { text: `$((${expr}))`, unknown: 'it depends on the number of CPUs', path };
    }
    default:
      return unknown('an expression oneproc does not evaluate');
  }
}

/** An arithmetic operand for the `$(nproc)` formula reader: digits, or a formula over $(nproc). */
function asArithmetic(word: Word): string | undefined {
  if (/^-?\d+$/.test(word.text)) return word.text;
  if (word.text === '$(nproc)') return '$(nproc)';
  const m = /^\$\(\((.*)\)\)$/s.exec(word.text);
  return m ? m[1] : undefined;
}

function evaluateCall(
  node: PyNode,
  file: string,
  names: Map<string, PyNode>,
  env: Env,
  depth: number,
  unknown: (why: string) => Word,
): Word {
  const path = sourcePath(file, node.startPosition.row + 1);
  const fn = node.childForFieldName('function')?.text ?? '';
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  if (/^(multiprocessing\.|os\.)?cpu_count$/.test(fn) || fn === 'psutil.cpu_count') {
    return { text: '$(nproc)', unknown: 'it depends on the number of CPUs', path };
  }
  if (fn === 'int' || fn === 'str') {
    return args[0] ? evaluate(args[0], file, names, env, depth + 1) : unknown('int() of nothing');
  }
  if (/^os\.(getenv|environ\.get)$/.test(fn) && args[0]?.type === 'string') {
    const name = evaluate(args[0], file, names, env, depth + 1).text;
    const entry = env.get(name);
    if (entry?.value !== undefined) return { text: entry.value, path: entry.path };
    if (entry)
      return { text: `$${name}`, unknown: entry.unknown ?? `${name} is not known here`, path: entry.path };
    const fallback = args[1];
    if (!fallback) return unknown(`${name} is not set in the container's env`);
    return evaluate(fallback, file, names, env, depth + 1);
  }
  return unknown(`the result of ${fn || 'a call'}() is not known here`);
}
