/** The licence package.json declares is in the repository, whole, and ships in the package. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

test('npm pack ships LICENSE', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const [{ files }] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
  expect(files.map((f) => f.path)).toContain('LICENSE');
});
