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

/** Every node below `root` (depth-first), bounded. */
export function* walk(root: PyNode, limit = 200000): Generator<PyNode> {
  const stack = [root];
  let n = 0;
  while (stack.length > 0 && n++ < limit) {
    const node = stack.pop()!;
    yield node;
    for (let i = node.namedChildren.length - 1; i >= 0; i--) stack.push(node.namedChildren[i]);
  }
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
  if (depth > 20) return unknown('the expression is too deep to follow');
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
      const value = names.get(node.text);
      if (value && value !== node) {
        const word = evaluate(value, file, names, env, depth + 1);
        return word;
      }
      if (node.text === 'None') return { text: 'None', path };
      return unknown(`${node.text} is not set in this module`);
    }
    case 'call':
      return evaluateCall(node, file, names, env, depth, unknown);
    case 'unary_operator': {
      const operand = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.text ?? node.children[0]?.text;
      const word = operand ? evaluate(operand, file, names, env, depth + 1) : undefined;
      if (!word || word.unknown || !INTEGER.test(word.text) || (op !== '-' && op !== '+'))
        return unknown('an expression oneproc does not evaluate');
      return { text: String(op === '-' ? -BigInt(word.text) : BigInt(word.text)), path };
    }
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
      if (!left || !right || !op || !['+', '-', '*', '//'].includes(op))
        return unknown('an expression oneproc does not evaluate');
      const leftWord = evaluate(left, file, names, env, depth + 1);
      const rightWord = evaluate(right, file, names, env, depth + 1);
      // Two integers: computed here with Python's operators (`//` floors). Nothing is ever run.
      if (
        !leftWord.unknown &&
        !rightWord.unknown &&
        INTEGER.test(leftWord.text) &&
        INTEGER.test(rightWord.text)
      ) {
        const n = pythonArithmetic(BigInt(leftWord.text), op, BigInt(rightWord.text));
        return n === undefined ? unknown('a division by zero') : { text: String(n), path };
      }
      const l = asArithmetic(leftWord);
      const r = asArithmetic(rightWord);
      if (l === undefined || r === undefined) return unknown('it depends on a value not known here');
      const wrap = (x: string) => (/^-?\d+$|^\$\(nproc\)$/.test(x) ? x : `(${x})`);
      // A formula over the CPU count, for the rules' own bounded evaluator (cpuFormulaBounds).
      return {
        text: `$((${wrap(l)}${op === '//' ? '/' : op}${wrap(r)}))`,
        unknown: 'it depends on the number of CPUs',
        path,
      };
    }
    default:
      return unknown('an expression oneproc does not evaluate');
  }
}

const INTEGER = /^-?\d{1,300}$/;

/** `left op right` on Python integers: `+`, `-`, `*`, and `//`, which floors; undefined for `// 0`. */
function pythonArithmetic(left: bigint, op: string, right: bigint): bigint | undefined {
  if (op === '+') return left + right;
  if (op === '-') return left - right;
  if (op === '*') return left * right;
  if (right === 0n) return undefined;
  const quotient = left / right;
  return quotient * right !== left && left < 0n !== right < 0n ? quotient - 1n : quotient;
}

/**
 * An arithmetic operand for the `$(nproc)` formula reader: digits, or a formula over $(nproc) that this
 * evaluator built (never text from the file: a string's content is not an operand).
 */
function asArithmetic(word: Word): string | undefined {
  if (!word.unknown && INTEGER.test(word.text)) return word.text;
  if (word.text === '$(nproc)' && word.unknown) return '$(nproc)';
  const m = /^\$\(\(([\d$()nproc+\-*/\s]*)\)\)$/.exec(word.text);
  return m && word.unknown ? m[1] : undefined;
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
