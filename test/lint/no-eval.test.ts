// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the planted files are TypeScript, where ${…} is a placeholder.
/**
 * The lint rule that keeps oneproc from evaluating input as code: `npm run lint` (biome, with the
 * project's biome.json and its GritQL plugins in lint/) fails on every way src/ could evaluate text or
 * load a module of a computed name, and accepts the literal requires and imports src/ does use.
 * The project's own configuration is copied next to a temporary src/ of offending files and run there.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIOME = path.join(ROOT, 'node_modules/@biomejs/biome/bin/biome');

/** The rules that enforce it; any other diagnostic does not count as catching a form. */
const RULES = new Set([
  'plugin',
  'lint/security/noGlobalEval',
  'lint/nursery/noImpliedEval',
  'lint/nursery/noDynamicRequire',
  'lint/style/noRestrictedGlobals',
  'lint/style/noRestrictedImports',
]);

/** One file per form, each a complete module. */
const FORBIDDEN: Record<string, string> = {
  eval: 'export const run = (code: string) => eval(code);',
  'indirect-eval': 'export const run = (code: string) => (0, eval)(code);',
  'globalThis-eval': 'export const run = (code: string) => globalThis.eval(code);',
  'global-eval-by-key': "export const run = (code: string) => global['eval'](code);",
  'function-call': 'export const run = (code: string) => Function(code)();',
  'new-function': 'export const run = (code: string) => new Function(code)();',
  'globalThis-function': 'export const run = (code: string) => new globalThis.Function(code)();',
  'function-by-key': "export const run = (code: string) => new globalThis['Function'](code)();",
  'constructor-of-a-function': 'export const run = (code: string) => (() => 0).constructor(code)();',
  'async-function-constructor': 'export const run = (code: string) => new (async () => 0).constructor(code);',
  'set-timeout-string': "export const run = () => setTimeout('globalThis.x = 1', 0);",
  'import-vm': "import * as vm from 'vm';\nexport const run = (code: string) => vm.runInThisContext(code);",
  'import-node-vm':
    "import { runInNewContext } from 'node:vm';\nexport const run = (code: string) => runInNewContext(code);",
  'require-vm': "export const run = (code: string) => require('node:vm').runInThisContext(code);",
  'dynamic-import-vm':
    "export const run = async (code: string) => (await import('vm')).runInThisContext(code);",
  'import-create-require':
    "import { createRequire } from 'node:module';\nexport const run = (name: string) => createRequire(__filename)(name);",
  'import-child-process':
    "import { execSync } from 'node:child_process';\nexport const run = (cmd: string) => execSync(cmd);",
  'dynamic-import-name': 'export const run = (name: string) => import(name);',
  'dynamic-import-template': 'export const run = (name: string) => import(`./readers/${name}`);',
  'dynamic-import-concatenation': "export const run = (name: string) => import('./readers/' + name);",
  'dynamic-import-with-options':
    "export const run = (name: string) => import(name, { with: { type: 'json' } });",
  'require-name': 'export const run = (name: string) => require(name);',
  'require-template': 'export const run = (name: string) => require(`./readers/${name}`);',
  'require-concatenation': "export const run = (name: string) => require('./readers/' + name);",
  'module-require': 'export const run = (name: string) => module.require(name);',
  'main-module-require': 'export const run = (name: string) => process.mainModule?.require(name);',
};

/** What src/ does use: literal requires (src/cli/main.ts, src/version.ts), literal imports, types. */
const ALLOWED = [
  "export const check = () => (require('./check') as typeof import('./check')).run;",
  "export const version: string = require('../package.json').version;",
  "export const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');",
  "export const client = () => import('@kubernetes/client-node');",
  "export type Incoming = import('node:http').IncomingMessage;",
  "export const fine = (o: { require(name: string): unknown }) => o.require('./literal');",
  'export const named = { Function: 1, eval: 2, constructor: 3 };',
  'export const kind = (f: unknown) => typeof f === "function";',
].join('\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-lint-'));
  cpSync(path.join(ROOT, 'biome.json'), path.join(dir, 'biome.json'));
  cpSync(path.join(ROOT, 'lint'), path.join(dir, 'lint'), { recursive: true });
  mkdirSync(path.join(dir, 'src'));
  for (const [name, text] of Object.entries(FORBIDDEN))
    writeFileSync(path.join(dir, 'src', `${name}.ts`), `${text}\n`);
  writeFileSync(path.join(dir, 'src', 'allowed.ts'), `${ALLOWED}\n`);
  // Outside src/ the rule does not apply (tests spawn processes and require fixtures).
  mkdirSync(path.join(dir, 'test'));
  writeFileSync(path.join(dir, 'test', 'spawns.test.ts'), `${FORBIDDEN['import-child-process']}\n`);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The enforcing rules' errors per file (by base name), from biome's GitHub reporter. */
function lint(): Map<string, string[]> {
  const result = spawnSync(
    process.execPath,
    [BIOME, 'lint', '--reporter=github', '--max-diagnostics=none', 'src', 'test'],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error) throw result.error;
  const errors = new Map<string, string[]>();
  for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
    const m = /^::error title=([^,]+),file=([^,]+),/.exec(line);
    if (!m || !RULES.has(m[1])) continue;
    const file = path.relative(dir, m[2]);
    errors.set(file, [...(errors.get(file) ?? []), m[1]]);
  }
  return errors;
}

describe('the lint rule against evaluating input as code', () => {
  let errors: Map<string, string[]>;
  beforeAll(() => {
    errors = lint();
  });

  it.each(Object.keys(FORBIDDEN))('fails on %s in src/', (name) => {
    expect(errors.get(path.join('src', `${name}.ts`))).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  it("accepts literal require('./check'), literal imports and import types", () => {
    expect(errors.get(path.join('src', 'allowed.ts'))).toBeUndefined();
  });

  it('applies to src/ only', () => {
    expect(errors.get(path.join('test', 'spawns.test.ts'))).toBeUndefined();
  });

  it('is part of npm run lint, which CI runs', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.lint).toBe('biome check .');
    expect(readFileSync(path.join(ROOT, 'scripts/test.sh'), 'utf8')).toMatch(/^npm run lint$/m);
  });
});
