/**
 * `npm run demo` prints the numbers that prove the claim, not only test names: each scene records what
 * it measured (lost reads, logouts, the refusals) and scripts/demo.js prints them in the story's order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { figure } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const { formatFigures } = require('../../scripts/demo.js') as { formatFigures: (text: string) => string };

test('npm run demo runs the demonstration script, whose scenes each record figures', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.demo).toBe('npm run build --silent && node scripts/demo.js');
  const script = fs.readFileSync(path.join(ROOT, 'scripts', 'demo.js'), 'utf8');
  const scenes = [...script.matchAll(/'(test\/e2e\/[\w-]+\.test\.ts)'/g)].map((m) => m[1]!);
  expect(scenes).toEqual(['test/e2e/failure.test.ts', 'test/e2e/refused.test.ts', 'test/e2e/fix.test.ts']);
  for (const scene of scenes) {
    expect({ scene, records: /\bfigure\(/.test(fs.readFileSync(path.join(ROOT, scene), 'utf8')) }).toEqual({
      scene,
      records: true,
    });
  }
});

test('figures are written only for the demonstration, one JSON line each with the scene and the test', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-figures-'));
  const file = path.join(dir, 'figures.jsonl');
  const before = process.env.ONEPROC_DEMO_FIGURES;
  try {
    delete process.env.ONEPROC_DEMO_FIGURES;
    figure('scene', 'not recorded');
    expect(fs.existsSync(file)).toBe(false);
    process.env.ONEPROC_DEMO_FIGURES = file;
    figure('uvicorn --workers 4', '200 reads: 120 NOT_FOUND');
    expect(fs.readFileSync(file, 'utf8')).toBe(
      `${JSON.stringify({ test: 'demo.test.ts', scene: 'uvicorn --workers 4', text: '200 reads: 120 NOT_FOUND' })}\n`,
    );
  } finally {
    if (before === undefined) delete process.env.ONEPROC_DEMO_FIGURES;
    else process.env.ONEPROC_DEMO_FIGURES = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the figures are printed scene by scene, in the order of the story', () => {
  const line = (test: string, scene: string, text: string) => JSON.stringify({ test, scene, text });
  const text = [
    line('fix.test.ts', 'fixed', '1000 set/get pairs: 0 lost'),
    line('failure.test.ts', 'failing', '200 reads: 122 NOT_FOUND'),
    line('refused.test.ts', 'refused', 'oneproc check: exit 1'),
    line('failure.test.ts', 'failing', '100 refreshes: 64 logged out'),
    '',
  ].join('\n');
  expect(formatFigures(text)).toBe(
    [
      '',
      'What the demonstration measured:',
      '  failing',
      '    200 reads: 122 NOT_FOUND',
      '    100 refreshes: 64 logged out',
      '  refused',
      '    oneproc check: exit 1',
      '  fixed',
      '    1000 set/get pairs: 0 lost',
      '',
    ].join('\n'),
  );
  expect(formatFigures('')).toBe(
    'No figures were measured: the scenes did not run (see the errors above).\n',
  );
});
