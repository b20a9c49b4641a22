/**
 * The value a JavaScript config file exports, read WITHOUT running it (acorn parses; nothing is
 * evaluated but literals). pm2 runs its ecosystem files with `require` (and `.json` process files with
 * `vm.runInThisContext`), so the files are code; running a repository's code in CI is not an option,
 * and almost every real file is a literal object anyway. What is understood:
 * - literals: strings, numbers, booleans, null, `undefined`, template strings, arrays, objects (with
 *   shorthand properties and spreads of known objects/arrays);
 * - top-level `const`/`let`/`var` bindings used later (`const apps = [...]; module.exports = { apps }`);
 * - `process.env.X` / `process.env['X']` against the container's known environment;
 * - `||`, `??`, `&&`, `!`, unary minus, `? :`, comparisons and `+ - * /` over known values;
 * - `parseInt(…)`, `Number.parseInt(…)`, `Number(…)`, `parseFloat(…)`, `String(…)`;
 * - the CPU count: `os.cpus().length` and `os.availableParallelism()` (with `os` from `require('os')`,
 *   `require('node:os')` or an `import`), kept as a `$(nproc)` formula for the rules' CPU handling;
 * - the export: `module.exports = …`, `module.exports.x = …` / `exports.x = …`, `export default …`.
 * Anything else is `unknown`, with the line and the reason; nothing here throws for any input.
 */
import { type Node, parse } from 'acorn';
import type { Env, EnvFromSource } from '../shell/types';

/** A value read from the file. Every value knows the 1-based line and the source text it came from. */
export type JsValue =
  | {
      readonly kind: 'primitive';
      readonly value: string | number | boolean | null | undefined;
      readonly line: number;
      readonly text: string;
    }
  | {
      readonly kind: 'array';
      readonly items: readonly JsValue[];
      readonly line: number;
      readonly text: string;
    }
  | {
      readonly kind: 'object';
      readonly props: ReadonlyMap<string, JsValue>;
      readonly line: number;
      readonly text: string;
    }
  /** A number computed from the CPU count: `formula` is shell arithmetic over `$(nproc)`. */
  | { readonly kind: 'cpus'; readonly formula: string; readonly line: number; readonly text: string }
  | { readonly kind: 'unknown'; readonly why: string; readonly line: number; readonly text: string };

/** What the evaluator may read: the environment the file is evaluated in. */
export interface JsEnvironment {
  readonly env: Env;
  readonly envFrom?: readonly EnvFromSource[];
}

/** The exported value, or why it cannot be read (a syntax error, no export), with the line. */
export type JsModule =
  | { readonly ok: true; readonly value: JsValue }
  | { readonly ok: false; readonly why: string; readonly line: number };

const MAX_DEPTH = 64;
const MAX_TEXT = 80;

type AnyNode = Node & Record<string, unknown>;

/**
 * Reads the value a CommonJS or ES module exports. `module` selects ES module parsing first (for
 * `.mjs`); either way the other goal is tried when the first one does not parse.
 */
export function readJsModule(text: string, env: JsEnvironment, module = false): JsModule {
  const parsed = parseProgram(text, module ? ['module', 'script'] : ['script', 'module']);
  if (!parsed.ok) return parsed;
  const scope = new Scope(text, env);
  let exported: JsValue | undefined;
  const fields = new Map<string, JsValue>();
  let fieldsLine = 0;
  for (const statement of parsed.program.body as AnyNode[]) {
    if (statement.type === 'VariableDeclaration') {
      for (const d of statement.declarations as AnyNode[]) {
        const id = d.id as AnyNode;
        if (id.type === 'Identifier' && d.init) scope.bind(id.name as string, d.init as AnyNode);
      }
    } else if (statement.type === 'ImportDeclaration') {
      const source = (statement.source as AnyNode).value;
      if (source === 'os' || source === 'node:os') {
        for (const s of statement.specifiers as AnyNode[]) {
          const local = (s.local as AnyNode).name as string;
          const imported = s.type === 'ImportSpecifier' ? ((s.imported as AnyNode).name as string) : '*';
          scope.bindOs(local, imported);
        }
      }
    } else if (statement.type === 'ExportDefaultDeclaration') {
      exported = scope.evaluate(statement.declaration as AnyNode);
    } else if (statement.type === 'ExpressionStatement') {
      const e = statement.expression as AnyNode;
      if (e.type !== 'AssignmentExpression' || e.operator !== '=') continue;
      const target = memberPath(e.left as AnyNode);
      if (target === 'module.exports') {
        exported = scope.evaluate(e.right as AnyNode);
        fields.clear();
      } else {
        const m = /^(?:module\.)?exports\.(\w+)$/.exec(target ?? '');
        if (m) {
          fields.set(m[1], scope.evaluate(e.right as AnyNode));
          fieldsLine ||= scope.line(statement);
        }
      }
    }
  }
  if (exported && fields.size > 0 && exported.kind === 'object') {
    exported = { ...exported, props: new Map([...exported.props, ...fields]) };
  } else if (!exported && fields.size > 0) {
    exported = { kind: 'object', props: fields, line: fieldsLine, text: 'module.exports' };
  }
  if (!exported) return { ok: false, why: 'it exports nothing oneproc can read', line: 1 };
  return { ok: true, value: exported };
}

/**
 * Reads a JSON (or JSON5-like) file the way pm2 reads `.json` process files: as one JavaScript
 * expression (`Common.parseConfig` evaluates `'(' + text + ')'`), so comments, unquoted keys and
 * trailing commas are accepted exactly as pm2 accepts them.
 */
export function readJsExpression(text: string, env: JsEnvironment): JsModule {
  // The parenthesis goes on the first line, so line numbers stay those of the file.
  const parsed = parseProgram(`(${text}\n)`, ['script']);
  if (!parsed.ok) return parsed;
  const body = parsed.program.body as AnyNode[];
  const first = body[0];
  if (body.length !== 1 || first.type !== 'ExpressionStatement') {
    return { ok: false, why: 'it is not one JSON value', line: 1 };
  }
  return { ok: true, value: new Scope(`(${text}\n)`, env).evaluate(first.expression as AnyNode) };
}

function parseProgram(
  text: string,
  goals: readonly ('script' | 'module')[],
): { ok: true; program: AnyNode } | { ok: false; why: string; line: number } {
  let failure = { why: 'it cannot be parsed', line: 1 };
  for (const sourceType of goals) {
    try {
      const program = parse(text, {
        ecmaVersion: 'latest',
        sourceType,
        locations: true,
        allowHashBang: true,
        allowReturnOutsideFunction: sourceType === 'script',
        allowAwaitOutsideFunction: true,
      }) as unknown as AnyNode;
      return { ok: true, program };
    } catch (err) {
      if (failure.line === 1 && failure.why === 'it cannot be parsed') {
        const e = err as { message?: string; loc?: { line: number } };
        failure = { why: `it cannot be parsed (${e.message ?? String(err)})`, line: e.loc?.line ?? 1 };
      }
    }
  }
  return { ok: false, ...failure };
}

/** `module.exports`, `exports.apps`, `process.env.X` for a member chain of plain names; else undefined. */
function memberPath(node: AnyNode): string | undefined {
  // A loop, not recursion: acorn builds `a.b.b.b…` of any length without recursing, so this must too.
  const names: string[] = [];
  let at = node;
  while (at.type === 'MemberExpression') {
    const property = at.property as AnyNode;
    if (!at.computed && property.type === 'Identifier') names.push(property.name as string);
    else if (at.computed && property.type === 'Literal' && typeof property.value === 'string')
      names.push(property.value);
    else return undefined;
    at = at.object as AnyNode;
  }
  if (at.type !== 'Identifier') return undefined;
  return [at.name as string, ...names.reverse()].join('.');
}

/** The JavaScript truthiness of a known value; undefined when the value is not known. */
export function truthy(v: JsValue): boolean | undefined {
  switch (v.kind) {
    case 'primitive':
      return Boolean(v.value);
    case 'array':
    case 'object':
      return true;
    case 'cpus':
      return undefined;
    case 'unknown':
      return undefined;
  }
}

class Scope {
  private readonly bindings = new Map<string, AnyNode>();
  private readonly values = new Map<string, JsValue>();
  /** Local names bound to node's os module (`*`) or to one of its functions. */
  private readonly os = new Map<string, string>();

  constructor(
    private readonly source: string,
    private readonly environment: JsEnvironment,
  ) {}

  bind(name: string, init: AnyNode): void {
    const required = requireOf(init);
    if (required === 'os' || required === 'node:os') this.os.set(name, '*');
    else this.bindings.set(name, init);
  }

  bindOs(local: string, imported: string): void {
    this.os.set(local, imported);
  }

  line(node: AnyNode): number {
    return (node.loc as { start: { line: number } } | undefined)?.start.line ?? 1;
  }

  private text(node: AnyNode): string {
    const t = this.source.slice(node.start as number, node.end as number).replace(/\s+/g, ' ');
    return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t;
  }

  evaluate(node: AnyNode, depth = 0): JsValue {
    const line = this.line(node);
    const text = this.text(node);
    const prim = (value: string | number | boolean | null | undefined): JsValue => ({
      kind: 'primitive',
      value,
      line,
      text,
    });
    const unknown = (why: string): JsValue => ({ kind: 'unknown', why, line, text });
    if (depth > MAX_DEPTH)
      return unknown(`the expression nests more than ${MAX_DEPTH} levels deep, past what oneproc follows`);
    const next = (n: unknown) => this.evaluate(n as AnyNode, depth + 1);
    switch (node.type) {
      case 'Literal': {
        const v = node.value;
        if (node.regex !== undefined || typeof v === 'bigint')
          return unknown(`\`${text}\` is not a plain value`);
        return prim(v as string | number | boolean | null);
      }
      case 'TemplateLiteral': {
        const quasis = node.quasis as AnyNode[];
        const exprs = node.expressions as AnyNode[];
        let out = '';
        for (let i = 0; i < quasis.length; i++) {
          out += ((quasis[i].value as { cooked?: string }).cooked ?? '') as string;
          if (i < exprs.length) {
            const v = next(exprs[i]);
            if (v.kind !== 'primitive') return v.kind === 'unknown' ? v : unknown(`\`${text}\` is computed`);
            out += String(v.value);
          }
        }
        return prim(out);
      }
      case 'ParenthesizedExpression':
        return next(node.expression);
      case 'ArrayExpression': {
        const items: JsValue[] = [];
        for (const el of node.elements as (AnyNode | null)[]) {
          if (el === null) items.push(prim(undefined));
          else if (el.type === 'SpreadElement') {
            const spread = next(el.argument);
            if (spread.kind !== 'array')
              return unknown(`\`${this.text(el)}\` spreads a value not known here`);
            items.push(...spread.items);
          } else items.push(next(el));
        }
        return { kind: 'array', items, line, text };
      }
      case 'ObjectExpression': {
        const props = new Map<string, JsValue>();
        for (const p of node.properties as AnyNode[]) {
          if (p.type === 'SpreadElement') {
            const spread = next(p.argument);
            if (spread.kind === 'object') for (const [k, v] of spread.props) props.set(k, v);
            else if (spread.kind !== 'primitive')
              return unknown(`\`${this.text(p)}\` spreads a value not known here`);
            continue;
          }
          const key = p.key as AnyNode;
          let name: string | undefined;
          if (!p.computed && key.type === 'Identifier') name = key.name as string;
          else if (key.type === 'Literal') name = String(key.value);
          else if (p.computed) {
            const k = next(key);
            if (k.kind === 'primitive') name = String(k.value);
          }
          if (name === undefined) continue;
          props.set(
            name,
            p.kind === 'init' && !p.method ? next(p.value) : unknown(`\`${name}\` is a function`),
          );
        }
        return { kind: 'object', props, line, text };
      }
      case 'Identifier': {
        const name = node.name as string;
        if (name === 'undefined') return prim(undefined);
        if (name === 'NaN') return prim(Number.NaN);
        if (name === 'Infinity') return prim(Number.POSITIVE_INFINITY);
        const bound = this.bindings.get(name);
        // The value keeps the line of its definition, where the number is written. Each binding is
        // evaluated once (`const b = a + a; const c = b + b; …` stays linear), and a cycle is unknown.
        if (bound) {
          const cached = this.values.get(name);
          if (cached) return cached;
          // `const b = a` chains of any length are followed here, not by recursion, which stops at
          // MAX_DEPTH: the value is read once, at the end of the chain, and kept for every name on it.
          const aliases = [name];
          let target = bound;
          while (
            target.type === 'Identifier' &&
            this.bindings.has(target.name as string) &&
            !this.values.has(target.name as string) &&
            !aliases.includes(target.name as string)
          ) {
            aliases.push(target.name as string);
            target = this.bindings.get(target.name as string) as AnyNode;
          }
          for (const alias of aliases) this.values.set(alias, unknown(`\`${alias}\` refers to itself`));
          const v = next(target);
          for (const alias of aliases) this.values.set(alias, v);
          return v;
        }
        return unknown(`\`${name}\` is not a value defined in this file`);
      }
      case 'MemberExpression':
        return this.member(node, depth, prim, unknown);
      case 'ChainExpression':
        return next(node.expression);
      case 'UnaryExpression': {
        const arg = next(node.argument);
        const op = node.operator as string;
        if (op === '!') {
          const t = truthy(arg);
          return t === undefined
            ? arg.kind === 'unknown'
              ? arg
              : unknown(`\`${text}\` is computed`)
            : prim(!t);
        }
        if (arg.kind === 'cpus' && op === '-')
          return { kind: 'cpus', formula: `(0-${arg.formula})`, line, text };
        if (arg.kind !== 'primitive')
          return arg.kind === 'unknown' ? arg : unknown(`\`${text}\` is computed`);
        if (op === '-') return prim(-Number(arg.value));
        if (op === '+') return prim(Number(arg.value));
        if (op === 'typeof') return prim(arg.value === null ? 'object' : typeof arg.value);
        return unknown(`\`${text}\` is computed`);
      }
      case 'LogicalExpression': {
        const left = next(node.left);
        const op = node.operator as string;
        if (op === '??') {
          if (left.kind === 'unknown') return left;
          const chosen =
            left.kind === 'primitive' && (left.value === undefined || left.value === null)
              ? next(node.right)
              : left;
          return { ...chosen, line, text };
        }
        const t = truthy(left);
        if (t === undefined) return left.kind === 'unknown' ? left : unknown(`\`${text}\` is computed`);
        // The result shows the whole expression (`process.env.WEB_CONCURRENCY || 4`), at its own line.
        if (op === '||') return { ...(t ? left : next(node.right)), line, text };
        if (op === '&&') return { ...(t ? next(node.right) : left), line, text };
        return unknown(`\`${text}\` is computed`);
      }
      case 'ConditionalExpression': {
        const test = next(node.test);
        const t = truthy(test);
        if (t === undefined) return test.kind === 'unknown' ? test : unknown(`\`${text}\` is computed`);
        return { ...next(t ? node.consequent : node.alternate), line, text };
      }
      case 'BinaryExpression':
        return this.binary(node, depth, prim, unknown, line, text);
      case 'CallExpression':
        return this.call(node, depth, prim, unknown, line, text);
      default:
        return unknown(`pm2 would evaluate the JavaScript \`${text}\``);
    }
  }

  private member(
    node: AnyNode,
    depth: number,
    prim: (v: string | number | boolean | null | undefined) => JsValue,
    unknown: (why: string) => JsValue,
  ): JsValue {
    const path = memberPath(node);
    const env = /^process\.env\.(.+)$/.exec(path ?? '');
    if (env) return this.envValue(env[1], prim, unknown);
    // `os.cpus().length`
    const property = node.property as AnyNode;
    if (!node.computed && property.type === 'Identifier' && property.name === 'length') {
      const object = node.object as AnyNode;
      if (object.type === 'CallExpression' && this.osFunction(object.callee as AnyNode) === 'cpus') {
        return { kind: 'cpus', formula: '$(nproc)', line: this.line(node), text: this.text(node) };
      }
    }
    const object = this.evaluate(node.object as AnyNode, depth + 1);
    let key: string | undefined;
    if (!node.computed && property.type === 'Identifier') key = property.name as string;
    else {
      const k = this.evaluate(property, depth + 1);
      if (k.kind === 'primitive') key = String(k.value);
    }
    if (key !== undefined && object.kind === 'object') return object.props.get(key) ?? prim(undefined);
    if (key !== undefined && object.kind === 'array') {
      if (key === 'length') return prim(object.items.length);
      const i = Number(key);
      return Number.isInteger(i) ? (object.items[i] ?? prim(undefined)) : prim(undefined);
    }
    if (key === 'length' && object.kind === 'primitive' && typeof object.value === 'string') {
      return prim(object.value.length);
    }
    if (object.kind === 'unknown') return unknown(object.why);
    return unknown(`pm2 would evaluate the JavaScript \`${this.text(node)}\``);
  }

  private envValue(
    name: string,
    prim: (v: string | undefined) => JsValue,
    unknown: (why: string) => JsValue,
  ): JsValue {
    const entry = this.environment.env.get(name);
    if (entry) {
      if (entry.value === undefined || entry.unknown)
        return unknown(entry.unknown ?? `${name} is not known here`);
      return prim(entry.value);
    }
    const from = this.environment.envFrom?.find((s) => !s.prefix || name.startsWith(s.prefix));
    if (from) return unknown(`${name} may come from envFrom (${from.source}, ${from.path})`);
    return prim(undefined);
  }

  /** The name of the os function `callee` denotes (`os.cpus`, an imported `cpus`), if any. */
  private osFunction(callee: AnyNode): string | undefined {
    if (callee.type === 'Identifier') {
      const imported = this.os.get(callee.name as string);
      return imported && imported !== '*' ? imported : undefined;
    }
    if (callee.type === 'MemberExpression' && !callee.computed) {
      const object = callee.object as AnyNode;
      const name = ((callee.property as AnyNode).name as string | undefined) ?? undefined;
      if (object.type === 'Identifier' && this.os.get(object.name as string) === '*') return name;
      const required = requireOf(object);
      if (required === 'os' || required === 'node:os') return name;
    }
    return undefined;
  }

  private binary(
    node: AnyNode,
    depth: number,
    prim: (v: string | number | boolean | null | undefined) => JsValue,
    unknown: (why: string) => JsValue,
    line: number,
    text: string,
  ): JsValue {
    const left = this.evaluate(node.left as AnyNode, depth + 1);
    const right = this.evaluate(node.right as AnyNode, depth + 1);
    const op = node.operator as string;
    if (left.kind === 'unknown') return left;
    if (right.kind === 'unknown') return right;
    if (left.kind === 'cpus' || right.kind === 'cpus') {
      const side = (v: JsValue) =>
        v.kind === 'cpus'
          ? v.formula
          : v.kind === 'primitive' && typeof v.value === 'number' && Number.isInteger(v.value) && v.value >= 0
            ? String(v.value)
            : undefined;
      const l = side(left);
      const r = side(right);
      if (l !== undefined && r !== undefined && ['+', '-', '*', '/'].includes(op)) {
        return { kind: 'cpus', formula: `(${l}${op}${r})`, line, text };
      }
      return unknown(`\`${text}\` depends on the number of CPUs`);
    }
    if (left.kind !== 'primitive' || right.kind !== 'primitive') return unknown(`\`${text}\` is computed`);
    const a = left.value;
    const b = right.value;
    switch (op) {
      case '===':
        return prim(a === b);
      case '!==':
        return prim(a !== b);
      case '==':
        return prim(looseEquals(a, b));
      case '!=':
        return prim(!looseEquals(a, b));
      case '+':
        return prim(typeof a === 'string' || typeof b === 'string' ? `${a}${b}` : Number(a) + Number(b));
      case '-':
        return prim(Number(a) - Number(b));
      case '*':
        return prim(Number(a) * Number(b));
      case '/':
        return prim(Number(a) / Number(b));
      case '<':
        return prim((a as number) < (b as number));
      case '>':
        return prim((a as number) > (b as number));
      case '<=':
        return prim((a as number) <= (b as number));
      case '>=':
        return prim((a as number) >= (b as number));
      default:
        return unknown(`\`${text}\` is computed`);
    }
  }

  private call(
    node: AnyNode,
    depth: number,
    prim: (v: string | number | boolean | null | undefined) => JsValue,
    unknown: (why: string) => JsValue,
    line: number,
    text: string,
  ): JsValue {
    const callee = node.callee as AnyNode;
    const args = node.arguments as AnyNode[];
    const fn = memberPath(callee);
    const os = this.osFunction(callee);
    if (os === 'availableParallelism') return { kind: 'cpus', formula: '$(nproc)', line, text };
    const arg = () => (args[0] ? this.evaluate(args[0], depth + 1) : prim(undefined));
    const known = (v: JsValue, f: (x: string | number | boolean | null | undefined) => JsValue) =>
      v.kind === 'primitive'
        ? f(v.value)
        : v.kind === 'cpus'
          ? v
          : v.kind === 'unknown'
            ? v
            : prim(Number.NaN);
    switch (fn) {
      case 'parseInt':
      case 'Number.parseInt':
        if (args[1]) {
          const radix = this.evaluate(args[1], depth + 1);
          if (radix.kind !== 'primitive' || Number(radix.value) !== 10)
            return unknown(`\`${text}\` is computed`);
        }
        return known(arg(), (x) => prim(Number.parseInt(String(x), 10)));
      case 'parseFloat':
      case 'Number.parseFloat':
        return known(arg(), (x) => prim(Number.parseFloat(String(x))));
      case 'Number':
        return known(arg(), (x) => prim(args.length === 0 ? 0 : Number(x)));
      case 'String':
        return known(arg(), (x) => prim(String(x)));
      default:
        return unknown(`pm2 would run the JavaScript \`${text}\``);
    }
  }
}

/** `require('os')` → `os`; undefined for anything else. */
function requireOf(node: AnyNode): string | undefined {
  if (node.type !== 'CallExpression') return undefined;
  const callee = node.callee as AnyNode;
  const args = node.arguments as AnyNode[];
  if (callee.type !== 'Identifier' || callee.name !== 'require' || args.length !== 1) return undefined;
  return args[0].type === 'Literal' && typeof args[0].value === 'string' ? args[0].value : undefined;
}

/** JavaScript's `==` over primitives, as the file means it. */
function looseEquals(a: unknown, b: unknown): boolean {
  // biome-ignore lint/suspicious/noDoubleEquals: the file's own operator is evaluated
  return a == b;
}
