/** The Python reader's evaluation of literals, as gunicorn configs and entry points write counts. */
import { evaluate, moduleAssignments, parsePython } from '../../src/sources/python/parse';

describe('Python integer literals', () => {
  it.each([
    ['4', '4'],
    ['1_000', '1000'],
    ['0x1F', '31'],
    ['0o17', '15'],
    ['0b11', '3'],
    ['0', '0'],
  ])('reads workers = %s as %s, pointing at its line', async (literal, value) => {
    const root = await parsePython(`import os\n\nworkers = ${literal}\n`);
    expect(root).toBeDefined();
    const names = moduleAssignments(root!);
    const node = names.get('workers');
    expect(node).toBeDefined();
    const word = evaluate(node!, 'gunicorn.conf.py', names, new Map());
    expect(word).toEqual({ text: value, path: 'gunicorn.conf.py:3' });
  });
});

describe('Python arithmetic', () => {
  async function workers(expr: string) {
    const root = await parsePython(`workers = ${expr}\n`);
    const names = moduleAssignments(root!);
    return evaluate(names.get('workers')!, 'gunicorn.conf.py', names, new Map());
  }

  it.each([
    ['2 * 2 + 1', '5'],
    ['7 // 2', '3'],
    ['-7 // 2', '-4'],
    ['(7 // 2) * 2', '6'],
    ['10 - 2 * 3', '4'],
  ])('computes workers = %s as Python does: %s', async (expr, value) => {
    expect((await workers(expr)).text).toBe(value);
  });

  it('keeps a formula over the CPU count for the rules, and a division by zero unknown', async () => {
    expect(await workers('multiprocessing.cpu_count() * 2 + 1')).toMatchObject({
      text: '$((($(nproc)*2)+1))',
      unknown: 'it depends on the number of CPUs',
    });
    expect((await workers('4 // 0')).unknown).toBe('a division by zero');
  });

  it('never runs text from the file as code', async () => {
    const g = globalThis as { oneprocRan?: number };
    delete g.oneprocRan;
    const word = await workers('"$((globalThis.oneprocRan = 1))" + 1');
    expect(g.oneprocRan).toBeUndefined();
    expect(word.unknown).toBe('it depends on a value not known here');
  });
});
