/**
 * What the npm package holds: the licence package.json declares, whole; and JavaScript whose stack traces
 * point at files the package ships (no source maps naming a src/ that is not in it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('LICENSE holds the Apache License 2.0 that package.json declares', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { license: string };
  expect(pkg.license).toBe('Apache-2.0');
  const text = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  expect(text).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  for (const section of [
    '1. Definitions.',
    '2. Grant of Copyright License.',
    '3. Grant of Patent License.',
    '4. Redistribution.',
    '5. Submission of Contributions.',
    '6. Trademarks.',
    '7. Disclaimer of Warranty.',
    '8. Limitation of Liability.',
    '9. Accepting Warranty or Additional Liability.',
    'END OF TERMS AND CONDITIONS',
    'APPENDIX: How to apply the Apache License to your work.',
  ]) {
    expect(text).toContain(section);
  }
});

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const [{ files }] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
  return files.map((f) => f.path);
}

test('npm pack ships LICENSE and the CHANGELOG', () => {
  expect(packedFiles()).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md']));
});

test('the package has no source maps: traces name the dist/ files it ships, never an absent src/', () => {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  const files = packedFiles();
  expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/'))).toEqual([]);
  const mapped = files
    .filter((f) => f.endsWith('.js'))
    .filter((f) => readFileSync(path.join(ROOT, f), 'utf8').includes('sourceMappingURL'));
  expect(mapped).toEqual([]);
});
