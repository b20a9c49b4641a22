/**
 * The real `oneproc check` command as a user runs it: `node bin/oneproc.js` from the built package
 * (`npm run build`; `npm test` builds first), in a folder of files a user wrote, with real pipes.
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/oneproc.js');
const BUILT = path.join(ROOT, 'dist/cli/check.js');

let dir: string;

beforeAll(() => {
  const source = path.join(ROOT, 'src/cli/check.ts');
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < statSync(source).mtimeMs) {
    throw new Error('dist/ is missing or older than src/: run `npm run build` first (npm test does it)');
  }
});
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function oneproc(args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    ...options,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...options.env },
  });
  if (result.error) throw result.error;
  return { code: result.status, out: String(result.stdout), err: String(result.stderr) };
}

const POD = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: web}',
  'spec:',
  '  containers:',
  '    - name: app',
  '      image: nginx:1.27',
  '',
].join('\n');

describe('oneproc check (subprocess)', () => {
  it('checks a file a user wrote and exits 0', () => {
    write('pod.yaml', POD);
    expect(oneproc(['check', 'pod.yaml'])).toEqual({
      code: 0,
      out: '0 errors, 0 warnings in 1 document, 1 container checked\n',
      err: '',
    });
  });

  it('reads a multi-document stream from a pipe with -', () => {
    const r = oneproc(['check', '--format', 'json', '-'], { input: `---\n${POD}---\n${POD}---\n# end\n` });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ findings: [], checked: { documents: 2, containers: 2 } });
  });

  it('walks a folder', () => {
    write('k8s/base/pod.yaml', POD);
    write('k8s/overlays/prod/pod.yml', POD);
    write(
      'k8s/pod.json',
      JSON.stringify({ kind: 'Pod', spec: { containers: [{ name: 'a' }, { name: 'b' }] } }),
    );
    write('k8s/node_modules/x/pod.yaml', POD);
    const r = oneproc(['check', '-f', 'json', 'k8s']);
    expect(JSON.parse(r.out).checked).toEqual({ documents: 3, containers: 4 });
  });

  it('names file and line of broken YAML, exits 2, and still checks the other files', () => {
    write('a.yaml', POD);
    write('broken.yaml', 'kind: Pod\nmetadata:\n  name: x\n   bad: indent\n');
    const r = oneproc(['check', 'broken.yaml', 'a.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: broken.yaml:3:9: invalid YAML in document 0: Nested mappings are not allowed in compact mappings\n',
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 1 unreadable input (see above) in 1 document, 1 container checked\n',
    );
  });

  it('refuses an alias bomb quickly instead of expanding it', () => {
    const rows = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 12; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      rows.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    write('bomb.yaml', `${rows.join('\n')}\n`);
    const r = oneproc(['check', 'bomb.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: bomb.yaml:1:1: document 0 too many alias expansions (a YAML "alias bomb"?); refusing to expand it\n',
    );
  });

  it('refuses a binary file with a clear message', () => {
    write('archive.yaml', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]));
    const r = oneproc(['check', 'archive.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: archive.yaml:1: is a binary file, not YAML or JSON (NUL byte at offset 3)\n',
    );
  });

  it('reports a missing file and an unreadable file with exit 2', () => {
    write('secret.yaml', POD);
    write('ok.yaml', POD);
    chmodSync(path.join(dir, 'secret.yaml'), 0o000);
    chmodSync(dir, 0o755);
    // root reads every file: run as nobody so the permission check is the kernel's, as for a user.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = oneproc(['check', 'secret.yaml', 'nothing-here.yaml', 'ok.yaml'], asUser);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: nothing-here.yaml: no such file or folder\n' +
        'oneproc check: secret.yaml: cannot be read: permission denied\n',
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 2 unreadable inputs (see above) in 1 document, 1 container checked\n',
    );
  });

  it('exits 2 with usage on an unknown flag, and prints no colour into a pipe', () => {
    const r = oneproc(['check', '--colour', 'pod.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^oneproc check: Unknown option '--colour'\n\nUsage: oneproc check /);
    expect(r.err).not.toContain('\u001b[');
  });

  it('is reachable as `npx oneproc` after install (package bin)', () => {
    const pkg = require(path.join(ROOT, 'package.json')) as { bin: Record<string, string> };
    expect(pkg.bin.oneproc).toBe('bin/oneproc.js');
    expect(oneproc(['check', '--help']).out).toMatch(/^Usage: oneproc check/);
  });
});
