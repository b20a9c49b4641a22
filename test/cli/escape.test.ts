/**
 * Output injection: names, annotations and file names come from the repository being checked, and what
 * `oneproc check` prints lands in terminals and CI logs. No input can start a line, run a GitHub Actions
 * workflow command, or reach the terminal as a control character — in text, JSON or SARIF, on standard
 * output or standard error — while JSON and SARIF still carry the exact values.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { RULES } from '../manifest/fake-rule';
import { runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-escape-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function check(argv: string[], color = false) {
  return runCheck(argv, { cwd: dir, color, engine: { rules: RULES } });
}

/** Every character a terminal acts on or a reader cannot see the place of. */
const CONTROL = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** What the GitHub Actions runner would execute: `::cmd::` at a line's start after white space, `##[cmd]` anywhere. */
function workflowCommands(text: string): string[] {
  return text.split('\n').filter((line) => /^\s*::/.test(line) || line.includes('##['));
}

const TEMPLATE = 'kind: Deployment\nspec:\n  {{- if .Values.x }}\n  replicas: 2\n  {{- end }}\n';

const HOSTILE = {
  container: 'app\n::error file=deploy.yaml,line=1::all good\r\n::stop-commands::pwned',
  namespace: 'shop\u001b[2K\u001b[1A',
  name: 'web\u202e\u2066lmth.exe\u2069##[add-mask]x',
  reason: 'legacy\u009b2J\u0085::warning::hidden\u2028::notice::x\u007f',
  kind: 'Deployment',
};

/** A Deployment whose every printable field is hostile; `fake-server --workers 4` makes a finding. */
function hostileManifest(workers: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: HOSTILE.kind,
    metadata: {
      name: HOSTILE.name,
      namespace: HOSTILE.namespace,
      annotations: { 'oneproc.dev/allow-multiple-workers': HOSTILE.reason },
    },
    spec: {
      template: {
        spec: {
          containers: [{ name: HOSTILE.container, command: ['fake-server', '--workers', workers] }],
        },
      },
    },
  });
}

describe('text output', () => {
  beforeEach(() => {
    write('deploy.json', hostileManifest('4'));
    write('::error::found.json', hostileManifest('4')); // a finding's heading starts with its file
    // Not exempted (the annotation is on the object, a warning quotes the word): the message quotes input.
    write(
      'warn.json',
      hostileManifest('4\n::error::quoted\u001b]0;title\u0007').replace(
        /"annotations":\{[^}]*\}/,
        '"labels":{}',
      ),
    );
    write('::stop-commands::tok.yaml', 'apiVersion: v1\nkind: Pod\nspec: [\n'); // a broken file whose name is a command
    write('templates/\n::error::x.yaml', TEMPLATE); // a note
  });

  it('shows every control character as a visible escape and starts no line with input', async () => {
    const r = await check(['.']);
    expect(r.code).toBe(2);
    for (const stream of [r.out, r.err]) {
      expect(stream.replaceAll('\n', '')).not.toMatch(CONTROL);
      expect(workflowCommands(stream)).toEqual([]);
    }
    expect(r.out).toContain(
      'container app\\n::error file=deploy.yaml,line=1::all good\\r\\n::stop-commands::pwned',
    );
    expect(r.out).toContain(
      'Deployment shop\\u001b[2K\\u001b[1A/web\\u202e\\u2066lmth.exe\\u2069##\\u005badd-mask]x',
    );
    expect(r.out).toContain('Exempted: legacy\\u009b2J\\u0085::warning::hidden\\u2028::notice::x\\u007f');
    expect(r.out).toContain('--workers 4\\n::error::quoted\\u001b]0;title\\u0007');
    expect(r.err).toMatch(/^oneproc check: ::stop-commands::tok\.yaml:4:1: invalid YAML/m);
    expect(r.out).toMatch(/^\\u003a:error::found\.json:1:\d+ {2}exempted {2}fake-server/m);
    expect(r.out).toContain('templates/\\n::error::x.yaml');
  });

  it('keeps its own colours, and only those', async () => {
    const r = await check(['deploy.json'], true);
    // oneproc's own colours: SGR sequences (ESC [ … m).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what is matched
    const sgr = /\u001b\[[0-9;]*m/g;
    const escapes = r.out.match(sgr) ?? [];
    expect(escapes.length).toBeGreaterThan(0);
    expect(r.out.replace(sgr, '').replaceAll('\n', '')).not.toMatch(CONTROL);
  });
});

describe('JSON and SARIF output', () => {
  beforeEach(() => {
    write('deploy.json', hostileManifest('4'));
    write('templates/\u001b[31m##[error]x.yaml', TEMPLATE);
  });

  it('JSON: the parsed values are the input, and no raw control character is printed', async () => {
    const r = await check(['-f', 'json', '.']);
    expect(r.out.replaceAll('\n', '')).not.toMatch(CONTROL);
    expect(workflowCommands(r.out)).toEqual([]);
    const report = JSON.parse(r.out);
    expect(report.findings[0]).toMatchObject({
      container: HOSTILE.container,
      namespace: HOSTILE.namespace,
      name: HOSTILE.name,
      exempted: { reason: HOSTILE.reason },
    });
    expect(report.notes[0].file).toBe(path.join('templates', '\u001b[31m##[error]x.yaml'));
    // The same note on standard error, printable.
    expect(r.err.replaceAll('\n', '')).not.toMatch(CONTROL);
    expect(workflowCommands(r.err)).toEqual([]);
    expect(r.err).toContain('templates/\\u001b[31m##\\u005berror]x.yaml');
  });

  it('SARIF: the parsed values are the input, and no raw control character is printed', async () => {
    const r = await check(['-f', 'sarif', '.']);
    expect(r.out.replaceAll('\n', '')).not.toMatch(CONTROL);
    expect(workflowCommands(r.out)).toEqual([]);
    const log = JSON.parse(r.out) as Log;
    const [finding, note] = log.runs[0].results ?? [];
    expect(finding.locations?.[0].logicalLocations?.[0]).toEqual({
      name: HOSTILE.container,
      fullyQualifiedName: `${HOSTILE.namespace}/${HOSTILE.kind}/${HOSTILE.name}/${HOSTILE.container}`,
    });
    expect(finding.suppressions?.[0].justification).toBe(HOSTILE.reason);
    expect(decodeURIComponent(note.locations?.[0].physicalLocation?.artifactLocation?.uri ?? '')).toBe(
      'templates/\u001b[31m##[error]x.yaml',
    );
  });
});
