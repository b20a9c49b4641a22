/**
 * The package's entry points (package.json `exports`): `oneproc` is the documented API, `oneproc/internal`
 * what oneproc's own doors are built from, and nothing else of dist/ can be imported. Run on the built
 * package through Node's own resolution (a package may import itself by name).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function node(script: string): string {
  if (!existsSync(path.join(ROOT, 'dist', 'internal.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  return execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
}

describe('package exports', () => {
  it('give the documented API from `oneproc`, without the webhook server internals', () => {
    const names = JSON.parse(node("process.stdout.write(JSON.stringify(Object.keys(require('oneproc'))))"));
    for (const name of ['SingleProcessApp', 'AdmissionWebhook', 'checkObject', 'checkContainer', 'RULES']) {
      expect(names).toContain(name);
    }
    for (const name of ['Transport', 'REVIEW_PATHS', 'runUntilSignal', 'reviewBody'])
      expect(names).not.toContain(name);
  });

  it('give the internals from `oneproc/internal`', () => {
    const names = JSON.parse(
      node("process.stdout.write(JSON.stringify(Object.keys(require('oneproc/internal'))))"),
    );
    for (const name of ['Transport', 'REVIEW_PATHS', 'runUntilSignal', 'reviewBody', 'checkText']) {
      expect(names).toContain(name);
    }
  });

  it('refuse a path into dist/', () => {
    const out = node(
      "try { require('oneproc/dist/engine'); console.log('loaded') } catch (e) { console.log(e.code) }",
    );
    expect(out.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
