/**
 * npm 11 reviews dependency install scripts: every package of the lockfile that has one must be listed in
 * package.json's `allowScripts`, or each `npm install`/`npm ci` ends with a list of unreviewed scripts
 * (and npm 12 blocks them). None is needed here: esbuild and @swc/core find their native binaries in
 * optional packages, @parcel/watcher is an optional speed-up of Jest's file watcher, backport is an
 * unused optional dependency of cdk8s-plus-27, and tree-sitter-python's native build is never loaded
 * (oneproc uses its WebAssembly grammar through web-tree-sitter).
 * @see https://docs.npmjs.com/cli/v11/commands/npm-approve-scripts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface LockPackage {
  hasInstallScript?: boolean;
}

test('every dependency with an install script is reviewed in allowScripts', () => {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
  };
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
  expect(withScripts.length).toBeGreaterThan(0);
  const reviewed = new Set(Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1')));
  expect(withScripts.filter((name) => !reviewed.has(name))).toEqual([]);
});

test('none of them runs: the project needs no dependency install script', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
  };
  expect(Object.entries(pkg.allowScripts ?? {}).filter(([, allowed]) => allowed !== false)).toEqual([]);
});
