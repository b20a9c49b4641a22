/** The Python reader's evaluation of literals, as gunicorn configs and entry points write counts. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluate, moduleAssignments, withPython } from '../../src/sources/python/parse';

describe('Python integer literals', () => {
  it.each([
    ['4', '4'],
    ['1_000', '1000'],
    ['0x1F', '31'],
    ['0o17', '15'],
    ['0b11', '3'],
    ['0', '0'],
  ])('reads workers = %s as %s, pointing at its line', async (literal, value) => {
    const word = await withPython(`import os\n\nworkers = ${literal}\n`, (root) => {
      const names = moduleAssignments(root);
      const node = names.get('workers');
      return node && evaluate(node, 'gunicorn.conf.py', names, new Map());
    });
    // The literal's own characters, so that `oneproc fix` edits exactly them.
    expect(word).toEqual({
      text: value,
      path: 'gunicorn.conf.py:3',
      at: { file: 'gunicorn.conf.py', line: 3, column: 11, length: literal.length, source: 'config' },
    });
  });
});

/** The line `workers = EXPR` is written at, as the value's place. */
const LINE_3 = { file: 'gunicorn.conf.py', line: 3, source: 'config' };

/** The value of `workers = EXPR` in a module, with the container env given. */
async function workersOf(expr: string, env: Record<string, string> = {}, prelude = '') {
  const entries = new Map(
    Object.entries(env).map(([name, value]) => [name, { name, value, path: `env.${name}` }]),
  );
  const word = await withPython(
    `import os\nimport multiprocessing\n${prelude}workers = ${expr}\n`,
    (root) => {
      const names = moduleAssignments(root);
      const node = names.get('workers');
      return node && evaluate(node, 'gunicorn.conf.py', names, entries);
    },
  );
  if (!word) throw new Error(`workers = ${expr} was not read`);
  return word;
}

describe('Python integer arithmetic, as Python computes it', () => {
  it.each([
    ['2 * 3 + 1', '7'],
    ['7 // 2', '3'],
    // Python's // floors toward negative infinity (Objects/longobject.c): -7 // 2 is -4, not -3.
    ['(0 - 7) // 2', '-4'],
    ['7 // (0 - 2)', '-4'],
    ['(0 - 8) // 2', '-4'],
    ['int("4") * 2', '8'],
    ['int(" -3 ") + 5', '2'],
    ['int("1_0") // 3', '3'],
    // int() reads Unicode digits and blanks, and a base: Python's PyLong_FromUnicodeObject.
    ['int("４") + 0', '4'],
    ['int("\u00a04\u2003") + 0', '4'],
    ['int("12", 8)', '10'],
    ['int("0x_10", 0)', '16'],
    ['int("z", 36)', '35'],
    ['int() + 1', '1'],
    ['int(os.getenv("WORKERS", "2")) * 3', '6'],
    ['(int(os.environ.get("BASE", "1")) + 1) * 2', '4'],
    ['9007199254740990 + 1', '9007199254740991'],
  ])('computes %s as %s', async (expr, text) => {
    expect(await workersOf(expr)).toEqual({ text, path: 'gunicorn.conf.py:3', at: LINE_3 });
  });

  it('reads an env value through int(), pointing at the env entry', async () => {
    expect(await workersOf('int(os.getenv("WORKERS", "2")) * 3', { WORKERS: ' 5 ' })).toEqual({
      text: '15',
      path: 'gunicorn.conf.py:3',
      at: LINE_3,
    });
    expect(await workersOf('int(os.getenv("WORKERS"))', { WORKERS: '5' })).toEqual({
      text: '5',
      path: 'env.WORKERS',
      at: { field: 'env.WORKERS' },
    });
  });

  it.each([
    // Python concatenates or repeats strings, or raises TypeError: never read as a number.
    ['"4" + 1', 'an operand is not an integer'],
    ['"4" * 2', 'an operand is not an integer'],
    ['"2" + "2"', 'an operand is not an integer'],
    ['os.getenv("WORKERS", "4") * 2', 'an operand is not an integer'],
    ['None + 1', 'an operand is not an integer'],
    ['str(3) * 2', 'an operand is not an integer'],
    ['int("0x10") + 1', 'int("0x10") stops Python with a ValueError'],
    ['int("four")', 'int("four") stops Python with a ValueError'],
    ['int(None)', 'int(None) stops Python with a TypeError'],
    ['int("08", 0)', 'int("08", 0) stops Python with a ValueError'],
    ['int("4", 1)', 'base must be >= 2 and <= 36, or 0'],
    ['int(4, 10)', "int() can't convert a non-string with an explicit base"],
    ['int(os.getenv("W", "4"), base=16)', 'int() with keyword arguments is not evaluated here'],
    ['4 // 0', 'it divides by zero'],
    // Beyond Number.MAX_SAFE_INTEGER a JavaScript number is no longer exact: not computed.
    ['9007199254740991 + 1', `beyond ${Number.MAX_SAFE_INTEGER}`],
    ['99999999999999999999 * 1', `beyond ${Number.MAX_SAFE_INTEGER}`],
    ['3037000500 * 3037000500', `beyond ${Number.MAX_SAFE_INTEGER}`],
    ['int("123456789012345678901234567890")', `beyond ${Number.MAX_SAFE_INTEGER}`],
  ])('leaves %s unknown (%s)', async (expr, why) => {
    const word = await workersOf(expr);
    expect(word.unknown).toContain(why);
    expect(word.path).toBe('gunicorn.conf.py:3');
  });

  it('keeps the CPU count as a formula the rules bound, when Python and the shell agree on it', async () => {
    expect(await workersOf('multiprocessing.cpu_count() * 2 + 1')).toEqual({
      text: '$((($(nproc)*2)+1))',
      unknown: 'it depends on the number of CPUs',
      path: 'gunicorn.conf.py:3',
      at: LINE_3,
    });
    expect((await workersOf('int(str(os.cpu_count())) // 2')).text).toBe('$(($(nproc)/2))');
    // For 1…3 CPUs (cpus - 4) // 2 floors to a value the shell's `/` would truncate differently.
    expect(await workersOf('(multiprocessing.cpu_count() - 4) // 2')).toEqual({
      text: '(multiprocessing.cpu_count() - 4) // 2',
      unknown: 'it depends on the number of CPUs, through arithmetic oneproc does not follow',
      path: 'gunicorn.conf.py:3',
      at: LINE_3,
    });
    expect((await workersOf('multiprocessing.cpu_count() * 9007199254740991')).unknown).toContain(
      'arithmetic oneproc does not follow',
    );
  });
});

describe('Python values are never run', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oneproc-python-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Shell arithmetic text holding JavaScript: what an evaluator built on Function() would run.
  const payload = (mark: string) =>
    `$((process.getBuiltinModule?.('child_process')?.execSync('touch ${mark}')?.length ?? 0))`;

  interface Planted {
    readonly what: string;
    readonly expr: (p: string) => string;
    readonly prelude?: (p: string) => string;
    /** Env variables whose value is the payload. */
    readonly env?: readonly string[];
  }
  const planted: Planted[] = [
    { what: 'a string literal', expr: (p) => `"${p}" + 1` },
    { what: 'a name bound to a string', expr: () => 'A * 2', prelude: (p) => `A = "${p}"\n` },
    { what: 'an env value', expr: () => 'int(os.getenv("PAYLOAD")) * 1', env: ['PAYLOAD'] },
    { what: 'an env value without int()', expr: () => 'os.getenv("PAYLOAD") * 1', env: ['PAYLOAD'] },
    { what: 'an env default', expr: (p) => `int(os.getenv("UNSET", "${p}")) + 1` },
    { what: 'str() of a string', expr: (p) => `str("${p}") * 1` },
  ];

  it.each(planted)('leaves $what unknown instead of evaluating it', async ({ expr, prelude, env }) => {
    const mark = path.join(dir, 'canary');
    const p = payload(mark);
    const word = await workersOf(
      expr(p),
      Object.fromEntries((env ?? []).map((k) => [k, p])),
      prelude?.(p) ?? '',
    );
    expect(word.unknown).toBeDefined();
    expect(existsSync(mark)).toBe(false);
  });
});
