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
