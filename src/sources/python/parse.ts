/**
 * Python source → syntax tree, with tree-sitter's Python grammar (web-tree-sitter and the
 * tree-sitter-python WebAssembly build from npm: no native code, works offline). Loaded once, lazily.
 * Also a small evaluator for the expressions that set worker counts in real projects:
 * `4`, `int(os.getenv("WORKERS", "4"))`, `os.environ.get(...)`, `multiprocessing.cpu_count() * 2 + 1`,
 * and names assigned at module level (`WORKERS = …` then `workers=WORKERS`). It computes each value
 * from the syntax tree with Python's semantics (ints, strings, None, `+ - * //`, `int()`, `str()`)
 * and never runs anything: no text read from a file or the environment is ever evaluated as code.
 */
import { readFileSync } from 'node:fs';
import { pythonInt } from '../../argv/ints';
import { type Place, placeOf } from '../../place';
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

/** A parsed file. Its memory lives in WebAssembly and is freed only by `delete()`. */
export interface PyTree {
  readonly rootNode: PyNode;
  delete(): void;
}

interface Parser {
  parse(text: string): PyTree | null;
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

/** Trees kept for reuse: an image's file is read once per container that runs it (say 200). */
const KEPT_TREES = 4;
const trees = new Map<string, PyTree>();

/**
 * Parses Python source and hands its tree to `use`. web-tree-sitter keeps trees in WebAssembly memory,
 * which only grows, so trees are freed explicitly: the last few are kept, keyed by their text, for the
 * containers that run the same file (200 containers of one image parse its 1 MiB main.py once), and
 * older ones are deleted. `use` runs synchronously and nothing of the tree may be kept past it (words
 * copy their text). Undefined when the parser cannot be loaded or cannot parse the text; the caller
 * says so.
 */
export async function withPython<T>(text: string, use: (root: PyNode) => T): Promise<T | undefined> {
  let tree = trees.get(text);
  if (tree) {
    trees.delete(text);
  } else {
    let parsed: PyTree | null;
    try {
      parsed = (await pythonParser()).parse(text);
    } catch {
      return undefined;
    }
    if (!parsed) return undefined;
    // Another caller may have parsed the same text while this one awaited the parser.
    const again = trees.get(text);
    if (again) {
      parsed.delete();
      trees.delete(text);
      tree = again;
    } else tree = parsed;
  }
  trees.set(text, tree);
  while (trees.size > KEPT_TREES) {
    const [oldest, old] = trees.entries().next().value as [string, PyTree];
    trees.delete(oldest);
    old.delete();
  }
  return use(tree.rootNode);
}

/** What a reader says of a Python file that the parser could not read. */
export function unparsedPython(file: string): { level: 'warning'; message: string; file: string } {
  return {
    level: 'warning',
    message: `${file} could not be parsed as Python here, so what it sets was not read`,
    file,
  };
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

/**
 * A Python value as far as the reader knows it. Nothing is ever run: each value is computed by this
 * module from the syntax tree, integers with Python's own semantics (see `arithmetic`).
 */
type PyValue =
  /** `at` of a literal (`workers = 4`) holds its own characters. */
  | ({ readonly kind: 'int'; readonly n: bigint } & Here)
  | ({ readonly kind: 'str'; readonly text: string } & Here)
  | ({ readonly kind: 'none' } & Here)
  /** An int computed from the CPU count (`str` when it was converted with `str()`). */
  | ({ readonly kind: 'cpus'; readonly formula: Formula; readonly str: boolean } & Here)
  | { readonly kind: 'unknown'; readonly word: Word }
  /** Python raises an exception computing it (`int("four")`, `4 // 0`): `why` says which and why. */
  | ({ readonly kind: 'raises'; readonly why: string } & Here);

/**
 * Where a value was written: the line of the expression (or the literal's own characters), or the
 * place of the variable it was read from (`os.getenv("WORKERS")`: the ENV line, the compose key, the
 * container's `env` field). `path` is its text in findings.
 */
interface Here {
  readonly path: string;
  readonly at: Place;
}

/** The line of `node` in `file`, as a place and its text. */
function hereOf(node: PyNode, file: string): Here {
  const line = node.startPosition.row + 1;
  return { path: sourcePath(file, line), at: { file, line, source: 'config' } };
}

/** Integer arithmetic over the CPU count: `+ - * //` of the CPU count and integer constants. */
type Formula =
  | { readonly op: 'cpus' }
  | { readonly op: 'const'; readonly n: bigint }
  | {
      readonly op: '+' | '-' | '*' | '//';
      readonly left: Formula;
      readonly right: Formula;
      /** Nodes in the formula, to bound its size. */
      readonly size: number;
    };

/** Integers beyond this are not computed: no worker count comes near, and doubles stay exact below it. */
const MAX_INT = BigInt(Number.MAX_SAFE_INTEGER);
/** Formulas over the CPU count larger than this are not followed (the rules read short ones). */
const MAX_FORMULA_NODES = 32;
/** The CPU counts a formula is checked over, as the rules bound it (`cpuFormulaBounds`). */
const MAX_CPUS = 256;

/** What an expression evaluates to, as a word for the rules: known text, a `$(nproc)` formula, or unknown. */
export function evaluate(node: PyNode, file: string, names: Map<string, PyNode>, env: Env): Word {
  return toWord(value(node, file, names, env, 0), node, file);
}

/**
 * What an expression evaluates to, with its Python type: a server given the value itself (a config
 * file's `workers = "4"`, not a command-line word) treats an `int` and a `str` differently. `raises`
 * is set when Python raises computing it: the file stops the program that loads it.
 */
export interface TypedValue {
  readonly word: Word;
  /** `cpus-str`: the CPU count converted with `str()`. */
  readonly type: 'int' | 'str' | 'none' | 'cpus' | 'cpus-str' | 'unknown' | 'raises';
}

export function evaluateTyped(node: PyNode, file: string, names: Map<string, PyNode>, env: Env): TypedValue {
  const v = value(node, file, names, env, 0);
  return { word: toWord(v, node, file), type: v.kind === 'cpus' && v.str ? 'cpus-str' : v.kind };
}

function toWord(v: PyValue, node: PyNode, file: string): Word {
  switch (v.kind) {
    case 'int':
      return { text: String(v.n), path: v.path, at: v.at };
    case 'str':
      return { text: v.text, path: v.path, at: v.at };
    case 'none':
      return { text: 'None', path: v.path, at: v.at };
    case 'unknown':
      return v.word;
    case 'raises':
      return { text: node.text, unknown: v.why, path: v.path, at: v.at };
    case 'cpus': {
      const text = shellFormula(v.formula);
      return text === undefined
        ? {
            text: node.text,
            unknown: 'it depends on the number of CPUs, through arithmetic oneproc does not follow',
            ...hereOf(node, file),
          }
        : { text, unknown: 'it depends on the number of CPUs', path: v.path, at: v.at };
    }
  }
}

function value(node: PyNode, file: string, names: Map<string, PyNode>, env: Env, depth: number): PyValue {
  const here = hereOf(node, file);
  const unknown = (why: string): PyValue => ({
    kind: 'unknown',
    word: { text: node.text, unknown: why, ...here },
  });
  if (depth > 20) return unknown('the expression nests more than 20 levels deep, past what oneproc follows');
  switch (node.type) {
    case 'integer': {
      // Python's 1_000, 0x1F, 0o17 and 0b11 are BigInt literals once the underscores go.
      const digits = node.text.replaceAll('_', '');
      if (!/^(?:0[xX][\da-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+)$/.test(digits))
        return unknown('not an integer oneproc reads');
      const read = bounded(BigInt(digits), here, unknown);
      if (read.kind !== 'int' || node.text.includes('\n')) return read;
      return {
        ...read,
        at: {
          file,
          line: node.startPosition.row + 1,
          column: node.startPosition.column + 1,
          length: node.text.length,
          source: 'config',
        },
      };
    }
    case 'string': {
      const content = node.namedChildren
        .filter((c) => c.type === 'string_content')
        .map((c) => c.text)
        .join('');
      return node.namedChildren.some((c) => c.type === 'interpolation')
        ? unknown('an f-string')
        : { kind: 'str', text: content, ...here };
    }
    case 'parenthesized_expression':
      return node.namedChildren[0]
        ? value(node.namedChildren[0], file, names, env, depth + 1)
        : unknown('empty');
    case 'none':
      return { kind: 'none', ...here };
    case 'identifier': {
      // `b = a` chains of any length are followed here, not by recursion, which stops at `depth`.
      let bound = names.get(node.text);
      const aliases = new Set([node.text]);
      while (bound?.type === 'identifier' && names.has(bound.text)) {
        if (aliases.has(bound.text)) return unknown(`${bound.text} is assigned from itself`);
        aliases.add(bound.text);
        bound = names.get(bound.text);
      }
      if (bound && bound !== node) return value(bound, file, names, env, depth + 1);
      if (node.text === 'None') return { kind: 'none', ...here };
      return unknown(`${node.text} is not set in this module`);
    }
    case 'call':
      return valueOfCall(node, file, names, env, depth, unknown);
    case 'unary_operator': {
      // `-2`, `+2`: Python's unary minus and plus on an int; anything else is not followed.
      const operand = node.childForFieldName('argument');
      const op = node.children[0]?.text;
      if (!operand || (op !== '-' && op !== '+')) return unknown('an expression oneproc does not evaluate');
      const v = value(operand, file, names, env, depth + 1);
      if (v.kind === 'raises' || v.kind === 'unknown') return v;
      if (v.kind !== 'int') return unknown('an operand is not an integer, so oneproc does not compute it');
      return op === '-' ? { kind: 'int', n: -v.n, ...here } : v;
    }
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
      if (!left || !right || (op !== '+' && op !== '-' && op !== '*' && op !== '//'))
        return unknown('an expression oneproc does not evaluate');
      const l = value(left, file, names, env, depth + 1);
      const r = value(right, file, names, env, depth + 1);
      return arithmetic(op, l, r, here, unknown);
    }
    default:
      return unknown('an expression oneproc does not evaluate');
  }
}

/** An int, or unknown when it is beyond the numbers computed here. */
function bounded(n: bigint, here: Here, unknown: (why: string) => PyValue): PyValue {
  return n > MAX_INT || n < -MAX_INT
    ? unknown(`the number is beyond ${Number.MAX_SAFE_INTEGER}, which oneproc does not compute`)
    : { kind: 'int', n, path: here.path, at: here.at };
}

/**
 * `l op r` for `+ - * //` as Python computes it on ints (Objects/longobject.c: `//` floors toward
 * negative infinity, `-7 // 2 == -4`; dividing by zero raises ZeroDivisionError). Any other operand —
 * a string, None, a value not known here — makes the result unknown: Python would concatenate or
 * repeat strings, or raise TypeError, and no operand's text is ever read as arithmetic.
 */
function arithmetic(
  op: '+' | '-' | '*' | '//',
  l: PyValue,
  r: PyValue,
  here: Here,
  unknown: (why: string) => PyValue,
): PyValue {
  // Python computes the left operand first: the first exception raised is the one seen.
  for (const operand of [l, r]) if (operand.kind === 'raises') return operand;
  for (const operand of [l, r])
    if (operand.kind === 'unknown')
      return unknown(operand.word.unknown ?? 'it depends on a value not known here');
  const integer = (v: PyValue) => v.kind === 'int' || (v.kind === 'cpus' && !v.str);
  if (!integer(l) || !integer(r))
    return unknown('an operand is not an integer, so oneproc does not compute it');
  if (l.kind === 'int' && r.kind === 'int') {
    const n = intOp(op, l.n, r.n);
    return n === undefined
      ? { kind: 'raises', why: 'it divides by zero, which stops Python (ZeroDivisionError)', ...here }
      : bounded(n, here, unknown);
  }
  const left = formulaOf(l);
  const right = formulaOf(r);
  if (!left || !right) return unknown('it depends on a value not known here');
  const size = formulaSize(left) + formulaSize(right) + 1;
  if (size > MAX_FORMULA_NODES) return unknown('the formula over the number of CPUs is too long to follow');
  return { kind: 'cpus', formula: { op, left, right, size }, str: false, ...here };
}

/** Python's int `+ - * //` on exact integers; undefined for a division by zero. */
function intOp(op: '+' | '-' | '*' | '//', a: bigint, b: bigint, floor = true): bigint | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '//': {
      if (b === 0n) return undefined;
      // BigInt division truncates toward zero, as the shell's `/` does; Python's `//` floors.
      const q = a / b;
      return floor && a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
    }
  }
}

function formulaOf(v: PyValue): Formula | undefined {
  if (v.kind === 'int') return { op: 'const', n: v.n };
  if (v.kind === 'cpus') return v.formula;
  return undefined;
}

function formulaSize(f: Formula): number {
  return f.op === 'cpus' || f.op === 'const' ? 1 : f.size;
}

/**
 * The formula as shell arithmetic over `$(nproc)`, which the rules bound over 1…256 CPUs
 * (`cpuFormulaBounds`). Shell arithmetic divides toward zero, Python's `//` floors: the text is given
 * only when both agree for every CPU count the rules try, and every value stays within the numbers
 * computed here; otherwise undefined.
 */
function shellFormula(f: Formula): string | undefined {
  if (f.op === 'cpus') return '$(nproc)';
  for (let cpus = 1n; cpus <= BigInt(MAX_CPUS); cpus++) {
    const python = formulaValue(f, cpus, true);
    if (python === undefined || python !== formulaValue(f, cpus, false)) return undefined;
  }
  const render = (g: Formula): string => {
    if (g.op === 'cpus') return '$(nproc)';
    if (g.op === 'const') return g.n < 0n ? `(${g.n})` : String(g.n);
    return `(${render(g.left)}${g.op === '//' ? '/' : g.op}${render(g.right)})`;
  };
  return `$(${render(f)})`;
}

/** The formula's value for a CPU count, dividing as Python (`floor`) or as the shell does. */
function formulaValue(f: Formula, cpus: bigint, floor: boolean): bigint | undefined {
  if (f.op === 'cpus') return cpus;
  if (f.op === 'const') return f.n;
  const l = formulaValue(f.left, cpus, floor);
  const r = l === undefined ? undefined : formulaValue(f.right, cpus, floor);
  if (l === undefined || r === undefined) return undefined;
  const n = intOp(f.op, l, r, floor);
  return n === undefined || n > MAX_INT || n < -MAX_INT ? undefined : n;
}

function valueOfCall(
  node: PyNode,
  file: string,
  names: Map<string, PyNode>,
  env: Env,
  depth: number,
  unknown: (why: string) => PyValue,
): PyValue {
  const here = hereOf(node, file);
  const fn = node.childForFieldName('function')?.text ?? '';
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  const arg = (i: number) => value(args[i], file, names, env, depth + 1);
  if (/^(multiprocessing\.|os\.)?cpu_count$/.test(fn) || fn === 'psutil.cpu_count') {
    return { kind: 'cpus', formula: { op: 'cpus' }, str: false, ...here };
  }
  if (fn === 'int') {
    // int() is 0; int(x) and int(x, base) with a literal base as Python reads them; keywords are not followed.
    if (args.length === 0) return { kind: 'int', n: 0n, ...here };
    if (args.length > 2 || args.some((a) => a.type === 'keyword_argument'))
      return unknown('int() with keyword arguments is not evaluated here');
    if (args.length === 1) return toInt(arg(0), 10, false, here, unknown);
    const base = arg(1);
    if (base.kind === 'raises' || base.kind === 'unknown') return base;
    if (base.kind !== 'int') return unknown('int() with a base that is not an integer is not evaluated here');
    if (base.n !== 0n && (base.n < 2n || base.n > 36n))
      return { kind: 'raises', why: 'int() base must be >= 2 and <= 36, or 0 (ValueError)', ...here };
    return toInt(arg(0), Number(base.n), true, here, unknown);
  }
  if (fn === 'str') {
    if (args.length === 0) return { kind: 'str', text: '', ...here };
    if (args.length > 1 || args[0].type === 'keyword_argument')
      return unknown('str() with an encoding is not evaluated here');
    const v = arg(0);
    if (v.kind === 'int') return { kind: 'str', text: String(v.n), path: v.path, at: v.at };
    if (v.kind === 'none') return { kind: 'str', text: 'None', path: v.path, at: v.at };
    if (v.kind === 'cpus') return { ...v, str: true };
    return v;
  }
  if (/^os\.(getenv|environ\.get)$/.test(fn) && args[0]?.type === 'string') {
    const key = arg(0);
    if (key.kind !== 'str') return key.kind === 'unknown' ? key : unknown('the variable name is not known');
    const name = key.text;
    const entry = env.get(name);
    // The value keeps the variable's place (the ENV line, the compose key, the container's field).
    const from: Here | undefined = entry && { path: entry.path, at: placeOf(entry) };
    if (entry?.value !== undefined && from) return { kind: 'str', text: entry.value, ...from };
    if (entry && from)
      return {
        kind: 'unknown',
        word: { text: `$${name}`, unknown: entry.unknown ?? `${name} is not known here`, ...from },
      };
    if (!args[1]) return unknown(`${name} is not set in the container's env`);
    return arg(1);
  }
  return unknown(`the result of ${fn || 'a call'}() is not known here`);
}

/**
 * Python's `int(x)` and `int(x, base)` (Objects/longobject.c `PyLong_FromUnicodeObject`, read by
 * `pythonInt` in src/argv/ints.ts: Unicode digits and blanks, `_` between digits, a prefix for its
 * base): an int stays (with a base, it raises TypeError); a string the base does not read raises
 * ValueError; None raises TypeError. Raising stops the program that computes it.
 */
function toInt(
  v: PyValue,
  base: number,
  explicitBase: boolean,
  here: Here,
  unknown: (why: string) => PyValue,
): PyValue {
  const raises = (why: string): PyValue => ({ kind: 'raises', why, ...here });
  switch (v.kind) {
    case 'int':
      return explicitBase ? raises("int() can't convert a non-string with an explicit base (TypeError)") : v;
    case 'unknown':
    case 'raises':
      return v;
    case 'cpus':
      return explicitBase
        ? unknown('int() of the CPU count with a base is not evaluated here')
        : { ...v, str: false };
    case 'none':
      return raises('int(None) stops Python with a TypeError');
    case 'str': {
      const read = pythonInt(v.text, base);
      const shown = v.text.length > 40 ? `${v.text.slice(0, 39)}…` : v.text;
      const call = `int(${JSON.stringify(shown)}${explicitBase ? `, ${base}` : ''})`;
      if ('refused' in read) return raises(`${call} stops Python with a ValueError (${read.refused})`);
      if (!('n' in read) || !Number.isSafeInteger(read.n))
        return unknown(`the number is beyond ${Number.MAX_SAFE_INTEGER}, which oneproc does not compute`);
      return bounded(BigInt(read.n), v, unknown);
    }
  }
}
