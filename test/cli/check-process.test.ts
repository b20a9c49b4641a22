/**
 * The real `oneproc check` command as a user runs it: `node bin/oneproc.js` from the built package
 * (`npm run build`; `npm test` builds first), in a folder of files a user wrote, with real pipes.
 */
import '@microsoft/jest-sarif';
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type UnprivilegedCli, unprivilegedCli } from '../helpers/unprivileged';

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
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The CLI as an unprivileged user runs it (copied where that user can load it), made on first use. */
let unprivileged: UnprivilegedCli | undefined;
function asUser(): UnprivilegedCli {
  unprivileged ??= unprivilegedCli();
  return unprivileged;
}
afterAll(() => unprivileged?.cleanup());

function oneproc(args: string[], options: SpawnSyncOptions = {}, nodeOptions: string[] = [], bin = BIN) {
  const result = spawnSync(process.execPath, [...nodeOptions, bin, ...args], {
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
    expect(JSON.parse(r.out)).toEqual({ findings: [], notes: [], checked: { documents: 2, containers: 2 } });
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
      'oneproc check: bomb.yaml:6:36: document 0 holds more than 1,000,000 nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it\n',
    );
  });

  // The huge cases run with a heap cap, so a regression crashes the child instead of the test machine.
  const capped = (args: string[]) => oneproc(args, {}, ['--max-old-space-size=256']);

  it('refuses aliases that expand to 100 million nodes, however few they are', () => {
    // 999 containers whose args are one 100,000-item sequence: 240 KB of text.
    const rows = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: flood}',
      `x: &a [${Array(100_000).fill('1').join(',')}]`,
    ];
    rows.push('spec:', '  containers:');
    for (let i = 0; i < 999; i++) rows.push(`  - {name: c${i}, image: x, args: *a}`);
    write('flood.yaml', `${rows.join('\n')}\n`);
    write('ok.yaml', POD);
    const r = capped(['check', 'flood.yaml', 'ok.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: flood.yaml:15:32: document 0 holds more than 1,000,000 nodes once its aliases are expanded (the limit per document; a YAML "alias bomb"?); refusing to expand it\n',
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 1 unreadable input (see above) in 1 document, 1 container checked\n',
    );
  });

  it('refuses a single 61 MB document before parsing it, and checks the documents around it', () => {
    // Written in pieces: the test process never holds the whole text.
    const file = path.join(dir, 'huge.yaml');
    writeFileSync(file, `${POD}---\napiVersion: v1\nkind: List\nitems:\n`);
    const item = '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data: {a: b, c: d}\n';
    const chunk = item.repeat(10_000);
    while (statSync(file).size < 61_000_000) appendFileSync(file, chunk);
    appendFileSync(file, `---\n${POD}`);
    const r = capped(['check', 'huge.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^oneproc check: huge\.yaml:8:1: a YAML document of about [\d,]+ nodes is too large to read \(the limit is 1,000,000 nodes per document, to bound memory\); split it into smaller documents, or give it as JSON \(kubectl get … -o json\), which is read whole\n$/,
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 1 unreadable input (see above) in 2 documents, 2 containers checked\n',
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

  it('refuses huge inputs instead of reading them into memory: a file, and an endless device', () => {
    write('huge.yaml', '');
    truncateSync(path.join(dir, 'huge.yaml'), 65 * 1024 * 1024); // sparse: takes no disk space
    write('ok.yaml', POD);
    const r = oneproc(['check', 'huge.yaml', '/dev/zero', 'ok.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: huge.yaml: is too large (68157440 bytes; the limit is 67108864)\n' +
        'oneproc check: /dev/zero: is too large (more than 67108864 bytes)\n',
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 2 unreadable inputs (see above) in 1 document, 1 container checked\n',
    );
  });

  it('reports a missing file and an unreadable file with exit 2', () => {
    write('secret.yaml', POD);
    write('ok.yaml', POD);
    chmodSync(path.join(dir, 'secret.yaml'), 0o000);
    chmodSync(dir, 0o755);
    // root reads every file: run as nobody so the permission check is the kernel's, as for a user.
    const { bin, user } = asUser();
    const r = oneproc(['check', 'secret.yaml', 'nothing-here.yaml', 'ok.yaml'], user, [], bin);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'oneproc check: nothing-here.yaml: no such file or folder\n' +
        'oneproc check: secret.yaml: cannot be read: permission denied\n',
    );
    expect(r.out).toBe(
      '0 errors, 0 warnings, 2 unreadable inputs (see above) in 1 document, 1 container checked\n',
    );
  });

  it('reports an unreadable subfolder with its own path, and walks the rest', () => {
    write('k8s/a/pod.yaml', POD);
    write('k8s/b/secret/pod.yaml', POD);
    write('k8s/c/pod.yaml', POD);
    chmodSync(path.join(dir, 'k8s/b/secret'), 0o000);
    chmodSync(dir, 0o755);
    const { bin, user } = asUser();
    const r = oneproc(['check', 'k8s'], user, [], bin);
    expect(r.code).toBe(2);
    expect(r.err).toBe('oneproc check: k8s/b/secret: cannot be read: permission denied\n');
    expect(r.out).toBe(
      '0 errors, 0 warnings, 1 unreadable input (see above) in 2 documents, 2 containers checked\n',
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

  describe('with the built-in rules', () => {
    const WEB = [
      'apiVersion: apps/v1', //                                   1
      'kind: Deployment', //                                      2
      'metadata:', //                                             3
      '  name: web', //                                           4
      '  namespace: shop', //                                     5
      'spec:', //                                                 6
      '  replicas: 1', //                                         7
      '  template:', //                                           8
      '    spec:', //                                           9
      '      containers:', //                                  10
      '        - name: app', //                                11
      '          image: example/web:1', //                     12
      '          command: ["uvicorn", "main:app"]', //         13
      '          args: ["--host", "0.0.0.0", "--workers", "4"]', // 14
      '',
    ].join('\n');

    it('reports uvicorn --workers 4 at its line and column and exits 1', () => {
      write('web.yaml', WEB);
      const r = oneproc(['check', 'web.yaml']);
      expect(r.code).toBe(1);
      const lines = r.out.split('\n');
      expect(lines[0]).toBe('web.yaml:14:52  error  uvicorn  Deployment shop/web  container app');
      expect(lines[1]).toMatch(/^ {2}uvicorn starts 4 worker processes/);
      expect(lines[1]).toContain('oneproc.dev/allow-multiple-workers');
      expect(lines[2]).toBe('  field: spec.template.spec.containers[0].args[3]');
      expect(lines.at(-2)).toBe('1 error, 0 warnings in 1 document, 1 container checked');
      expect(r.err).toBe('');
    });

    it('reads `helm template` output from a pipe and prints the documented JSON', () => {
      const rendered = `---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n# Source: web/templates/deployment.yaml\n${WEB}`;
      const r = oneproc(['check', '--format', 'json', '-'], { input: rendered });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.out);
      expect(report.checked).toEqual({ documents: 2, containers: 1 });
      expect(report.findings).toHaveLength(1);
      expect({ ...report.findings[0], message: typeof report.findings[0].message }).toEqual({
        severity: 'error',
        rule: 'uvicorn',
        message: 'string',
        path: 'spec.template.spec.containers[0].args[3]',
        workers: 4,
        file: '<stdin>',
        document: 1,
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'app',
        line: 21,
        // Which setting decides the count, as data: the `--workers` word of the args.
        cause: { kind: 'cli', name: '--workers', at: { field: 'spec.template.spec.containers[0].args[3]' } },
      });
    });

    it('honours an exemption on the pod template, and refuses an expired one', () => {
      const exempt = (until: string) =>
        WEB.replace(
          '  template:\n',
          `  template:\n    metadata:\n      annotations:\n        oneproc.dev/allow-multiple-workers: "session store moves to Redis in Q3"\n        oneproc.dev/allow-until: "${until}"\n`,
        );
      write('ok.yaml', exempt('2999-12-31'));
      write('old.yaml', exempt('2001-01-01'));
      const ok = oneproc(['check', 'ok.yaml']);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain('ok.yaml:18:52  exempted  uvicorn  Deployment shop/web  container app');
      expect(ok.out).toContain('  Exempted until 2999-12-31: session store moves to Redis in Q3\n');
      const old = oneproc(['check', 'old.yaml']);
      expect(old.code).toBe(1);
      expect(old.out).toContain('expired on 2001-01-01');
    });

    it('writes SARIF that code scanning can place on the line of --workers 4', () => {
      write('deploy/web.yaml', WEB);
      const r = oneproc(['check', '--format', 'sarif', '.']);
      expect(r.code).toBe(1);
      const log = JSON.parse(r.out);
      expect(log).toBeValidSarifLog();
      const [result] = log.runs[0].results;
      expect(result).toMatchObject({ ruleId: 'uvicorn', level: 'error' });
      expect(result.locations[0].physicalLocation).toEqual({
        artifactLocation: { uri: 'deploy/web.yaml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 14, startColumn: 52 },
      });
      expect(log.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(['uvicorn']);
    });

    it('fails warnings only with --strict', () => {
      const unknown = WEB.replace('"--workers", "4"', '"--workers", "$(WORKERS)"').replace(
        '          image: example/web:1\n',
        '          image: example/web:1\n          env: [{name: WORKERS, valueFrom: {secretKeyRef: {name: s, key: w}}}]\n',
      );
      write('w.yaml', unknown);
      const plain = oneproc(['check', '-f', 'json', 'w.yaml']);
      expect(plain.code).toBe(0);
      expect(JSON.parse(plain.out).findings.map((f: { severity: string }) => f.severity)).toEqual([
        'warning',
      ]);
      expect(oneproc(['check', '--strict', 'w.yaml']).code).toBe(1);
    });
  });
});
