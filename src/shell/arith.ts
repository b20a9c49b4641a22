/**
 * Shell arithmetic (`$((…))`, XCU 2.6.4), the one integer evaluator of the project: the shell reads
 * `$((2*W+1))` with it, and the rules bound a formula over the CPU count (`$((2*$(nproc)+1))`) with
 * it. Integers are 64-bit signed and wrap as dash's `intmax_t` does (dash src/arith_yacc.c
 * `arith`/`binop2`), computed with BigInt so that no value loses precision. Division by zero is an
 * error (dash: "division by zero"), here null. Iterative over tokens with a nesting cap, so no input
 * can overflow the stack. Pure.
 */

/** The commands whose output is the number of CPUs: `$(nproc)` and its spellings. */
export const CPU_TERMS: readonly RegExp[] = [
  /\$\(\s*nproc(?:\s+--all)?\s*\)/g,
  /`\s*nproc(?:\s+--all)?\s*`/g,
  /\$\(\s*getconf\s+_?NPROCESSORS_ONLN\s*\)/g,
  /\$\(\s*grep\s+-c\s+['"]?\^?processor['"]?\s+\/proc\/cpuinfo\s*\)/g,
  /\$\(\s*python3?\s+-c\s+['"]\s*import\s+(?:os|multiprocessing)\s*;\s*print\s*\(\s*(?:os|multiprocessing)\.cpu_count\(\)\s*\)\s*;?\s*['"]\s*\)/g,
];

/** True when `text` (a whole `$(…)` or backtick substitution) prints the number of CPUs. */
export function isCpuCount(text: string): boolean {
  return CPU_TERMS.some((re) => {
    re.lastIndex = 0;
    const m = re.exec(text);
    re.lastIndex = 0;
    return m !== null && m.index === 0 && m[0].length === text.length;
  });
}

/**
 * `$(python3 -c 'import os; print(os.cpu_count() * 2 + 1)')`: a Python one-liner printing integer
 * arithmetic over the CPU count, as a shell formula (`$(nproc) * 2 + 1`); undefined for anything else.
 * Only `+ - *`, parentheses and integers: on non-negative integers Python and the shell agree there
 * (Python's `//` floors where the shell's `/` truncates, so division is not read).
 */
export function pythonCpuFormula(text: string): string | undefined {
  const m =
    /^\$\(\s*python[0-9.]*\s+-c\s+(['"])\s*import\s+(os|multiprocessing)\s*;\s*print\s*\(([^'"]*)\)\s*;?\s*\1\s*\)$/.exec(
      text,
    );
  if (!m || m[3].length > 200) return undefined;
  const expr = m[3].replaceAll(`${m[2]}.cpu_count()`, ' C ');
  if (!expr.includes('C') || !/^[\dC+\-*()\s]+$/.test(expr)) return undefined;
  return expr.replace(/ C /g, '$(nproc)').trim();
}

const MAX_TOKENS = 512;
const MAX_NESTING = 64;

/** Binary operators by precedence, loosest first (C's, as XCU 2.6.4 requires). */
const LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

const wrap = (n: bigint) => BigInt.asIntN(64, n);

function binary(op: string, a: bigint, b: bigint): bigint | null {
  switch (op) {
    case '||':
      return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&':
      return a !== 0n && b !== 0n ? 1n : 0n;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '==':
      return a === b ? 1n : 0n;
    case '!=':
      return a !== b ? 1n : 0n;
    case '<':
      return a < b ? 1n : 0n;
    case '<=':
      return a <= b ? 1n : 0n;
    case '>':
      return a > b ? 1n : 0n;
    case '>=':
      return a >= b ? 1n : 0n;
    case '<<':
      return wrap(a << (b & 63n));
    case '>>':
      return a >> (b & 63n);
    case '+':
      return wrap(a + b);
    case '-':
      return wrap(a - b);
    case '*':
      return wrap(a * b);
    case '/':
      return b === 0n ? null : wrap(a / b);
    case '%':
      return b === 0n ? null : wrap(a % b);
  }
  return null;
}

/**
 * Evaluates an expression of integer constants (decimal, `0x` hex, leading-`0` octal), `C` (the CPU
 * count, `cpus`), parentheses, unary `+ - ! ~`, the binary operators of C and `?:`. Null when the
 * text is not such an expression (names, assignments, `++`) or divides by zero.
 */
export function evalArithmetic(expr: string, cpus = 1): bigint | null {
  const tokens = expr.match(/0[xX][0-9a-fA-F]+|\d+|C|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%()<>&|^!~?:]|\S/g) ?? [];
  if (tokens.length === 0 || tokens.length > MAX_TOKENS) return null;
  let pos = 0;
  let nesting = 0;
  const fail = { failed: false };
  const primary = (): bigint => {
    const t = tokens[pos++];
    if (t === undefined) return bad();
    if (t === 'C') return BigInt(cpus);
    if (t === '(') {
      if (++nesting > MAX_NESTING) return bad();
      const v = ternary();
      nesting--;
      return tokens[pos++] === ')' ? v : bad();
    }
    if (t === '-' || t === '+' || t === '!' || t === '~') {
      if (++nesting > MAX_NESTING) return bad();
      const v = primary();
      nesting--;
      return t === '-' ? wrap(-v) : t === '!' ? (v === 0n ? 1n : 0n) : t === '~' ? ~v : v;
    }
    if (/^0[xX]/.test(t)) return wrap(BigInt(t));
    if (/^0[0-7]+$/.test(t)) return wrap(BigInt(`0o${t.slice(1)}`));
    if (/^\d+$/.test(t)) return /^0\d/.test(t) ? bad() : wrap(BigInt(t));
    return bad();
  };
  const bad = (): bigint => {
    fail.failed = true;
    pos = tokens.length;
    return 0n;
  };
  // Precedence climbing over LEVELS, with a loop per level (depth is the fixed number of levels).
  const level = (k: number): bigint => {
    if (k === LEVELS.length) return primary();
    let left = level(k + 1);
    while (!fail.failed && pos < tokens.length && LEVELS[k].includes(tokens[pos])) {
      const op = tokens[pos++];
      const right = level(k + 1);
      const v = binary(op, left, right);
      if (v === null) return bad();
      left = v;
    }
    return left;
  };
  const ternary = (): bigint => {
    const cond = level(0);
    if (tokens[pos] !== '?') return cond;
    pos++;
    if (++nesting > MAX_NESTING) return bad();
    const a = ternary();
    if (tokens[pos++] !== ':') return bad();
    const b = ternary();
    nesting--;
    return cond !== 0n ? a : b;
  };
  const value = ternary();
  return fail.failed || pos !== tokens.length ? null : value;
}

/**
 * Bounds of a formula over the CPU count, e.g. `$((2*$(nproc)+1))` → {min: 3, max: 513}, or a bare
 * `$(nproc)` → {min: 1, max: 256} (for 1 to 256 CPUs). Null when the text is not such a formula.
 */
export function cpuFormulaBounds(text: string): { min: number; max: number } | null {
  let expr = text.trim();
  let sawCpu = false;
  for (const re of CPU_TERMS) {
    expr = expr.replace(re, () => {
      sawCpu = true;
      return 'C';
    });
  }
  if (!sawCpu) return null;
  const arith = /^\$\(\((.*)\)\)$/s.exec(expr);
  if (arith) expr = arith[1];
  if (expr.length > 200 || !/^[\dC+\-*/%()\s]+$/.test(expr)) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let cpus = 1; cpus <= 256; cpus++) {
    const value = evalArithmetic(expr, cpus);
    if (value === null) return null;
    const n = Number(value);
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return { min, max };
}
