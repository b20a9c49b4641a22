/**
 * `oneproc fix` over fixtures of every place a worker count lives: the fixed files pass `oneproc check`
 * with no error, a second run changes nothing, bytes outside the edits are unchanged, and the capacity
 * arithmetic (replicas, autoscaler bounds, CPU, disruption budget) is what docs/fix.md says.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { divideCpu, formatCpu, unifiedDiff } from '../../src/fix';
import { runCheck, runFix } from '../cli/run-check';

const FIXTURES = path.join(__dirname, '../fixtures/fix');

/** `oneproc fix ARGV…` in `cwd`, with `stdin` as its standard input. */
const fix = (argv: readonly string[], cwd: string, stdin?: string) =>
  runFix(argv, stdin === undefined ? { cwd } : { cwd, stdin });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-fix-'));
  cpSync(FIXTURES, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
const original = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

/** The lines that differ between two texts of the same line count, as `n: old → new`. */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const out: string[] = [];
  if (a.length !== b.length) return [`line count ${a.length} → ${b.length}`];
  a.forEach((line, i) => {
    if (line !== b[i]) out.push(`${i + 1}: ${line} → ${b[i]}`);
  });
  return out;
}

describe('oneproc fix on manifests', () => {
  const CASES = ['manifests/seed.yaml', 'manifests/hpa.yaml', 'manifests/kinds.yaml', 'manifests/list.json'];

  it('prints a diff, writes nothing, and exits 1 while fixes are pending', async () => {
    const r = await fix(['manifests'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('--- manifests/seed.yaml\n+++ manifests/seed.yaml\n');
    expect(r.out).toContain('-  replicas: 2\n+  replicas: 8\n');
    for (const c of CASES) expect(read(c)).toBe(original(c));
  });

  it('writes fixes that check passes with no error, and a second run changes nothing', async () => {
    const first = await fix(['--write', 'manifests'], dir);
    expect(first.err).not.toContain('not fixed');
    expect(first.code).toBe(0);
    const checked = await runCheck(['manifests'], { cwd: dir });
    expect(checked.out).toMatch(/^0 errors/m);
    expect(checked.code).toBe(0);
    const after = CASES.map(read);
    const second = await fix(['manifests'], dir);
    expect(second.code).toBe(0);
    expect(second.out).toBe('');
    expect(second.err).toContain('nothing to fix');
    expect(CASES.map(read)).toEqual(after);
  });

  it('changes only the spans it edits: comments, quotes, anchors, blank lines and flow style stay', async () => {
    await fix(['--write', 'manifests/seed.yaml'], dir);
    expect(changedLines(original('manifests/seed.yaml'), read('manifests/seed.yaml'))).toEqual([
      '8:   replicas: 2 →   replicas: 8',
      `20:           command: ['uvicorn', 'main:app', "--host", "0.0.0.0",  "--workers", "4"]   # four workers →           command: ['uvicorn', 'main:app', "--host", "0.0.0.0",  "--workers", "1"]   # four workers`,
      '23:               cpu: "2" →               cpu: "500m"',
      '26:               cpu: 2000m →               cpu: 500m',
      '34:   minAvailable: 1 →   minAvailable: 4',
    ]);
  });

  it('says the seed case in one summary line per workload', async () => {
    const r = await fix(['manifests/seed.yaml'], dir);
    expect(r.err).toContain(
      'oneproc fix: web: 2 pods × 4 workers → 8 pods × 1 process; cpu 2 → 500m per pod; memory kept per pod; disruption budget web: minAvailable 1 → 4\n',
    );
  });

  it('scales an autoscaler’s bounds instead of replicas, and inserts minReplicas in its style', async () => {
    const r = await fix(['--write', 'manifests/hpa.yaml'], dir);
    expect(r.err).toContain(
      'api: autoscaler api: 1–10 pods × 3 workers → 3–30 pods × 1 process (replicas left to the autoscaler); cpu 100m → 34m, cpu 1 → 334m per pod',
    );
    const docs = parseAllDocuments(read('manifests/hpa.yaml')).map((d) => d.toJS());
    expect(docs[0].spec.replicas).toBe(3);
    expect(docs[0].spec.template.spec.containers[0].env).toEqual([{ name: 'WEB_CONCURRENCY', value: '1' }]);
    expect(docs[1].spec).toMatchObject({ minReplicas: 3, maxReplicas: 30 });
    expect(read('manifests/hpa.yaml')).toContain('spec:\n  minReplicas: 3\n  scaleTargetRef:\n');
    // A percentage needs nothing.
    expect(docs[2].spec.minAvailable).toBe('50%');
  });

  it('fixes DaemonSets and CronJobs to one process without scaling, and never touches an exempted workload', async () => {
    const r = await fix(['--write', 'manifests/kinds.yaml'], dir);
    expect(r.err).toContain(
      'agent: 4 workers → 1 process per pod; a DaemonSet runs one pod per node, so nothing was scaled',
    );
    expect(r.err).toContain(
      'report: 2 workers → 1 process per pod; a CronJob runs to completion, so nothing was scaled',
    );
    expect(r.err).not.toContain('db-api');
    const text = read('manifests/kinds.yaml');
    expect(text).toContain('--processes, "1"');
    expect(text).toContain('W=1\n');
    expect(text).toContain('command: [uvicorn, main:app, --workers, "8"]');
    expect(text).toContain('replicas: 2\n');
  });

  it('inserts replicas into JSON in its style and edits List items in place', async () => {
    await fix(['--write', 'manifests/list.json'], dir);
    const text = read('manifests/list.json');
    expect(text).toContain('"spec": {\n        "replicas": 3,\n        "serviceName": "queue-api",');
    expect(text).toContain('"spec": {"replicas": 10, "template"');
    expect(text).toContain('"value": "--workers=1 --bind=:8080"');
    expect(text).toContain('"cpu": "84m"');
    expect(JSON.parse(text).items).toHaveLength(2);
  });

  it('sets the memory per process when asked', async () => {
    const r = await fix(['--write', '--memory-per-process', '512Mi', 'manifests/seed.yaml'], dir);
    expect(r.err).toContain('memory 512Mi per pod');
    expect(read('manifests/seed.yaml').match(/memory: 512Mi/g)).toHaveLength(2);
  });

  it('reads standard input and writes the fixed documents to standard output', async () => {
    const input = original('manifests/seed.yaml');
    const r = await fix(['-'], dir, input);
    expect(r.out).toBe(
      read('manifests/seed.yaml')
        .replace('replicas: 2', 'replicas: 8')
        .replace('"--workers", "4"', '"--workers", "1"')
        .replace('cpu: "2"', 'cpu: "500m"')
        .replace('cpu: 2000m', 'cpu: 500m')
        .replace('minAvailable: 1', 'minAvailable: 4'),
    );
  });

  it('keeps CRLF line endings when it inserts a key', async () => {
    const input =
      'apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata: {name: c}\r\nspec:\r\n  template:\r\n    spec:\r\n      containers: [{name: a, command: [uvicorn, a:b, --workers, "2"]}]\r\n';
    const r = await fix(['-'], dir, input);
    expect(r.out).toBe(
      input.replace('spec:\r\n  template', 'spec:\r\n  replicas: 2\r\n  template').replace('"2"', '"1"'),
    );
  });

  it('says what it cannot fix, with why, and exits 1', async () => {
    const r = await fix(
      ['-'],
      dir,
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    command: [pm2-runtime, start, app.js, -i, max]\n',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not fixed: <stdin>:7 \(pm2, p\/a\): its worker count is not a fixed number/);
  });

  it('refuses bad options with exit 2', async () => {
    expect((await fix(['--format', 'xml', 'manifests'], dir)).code).toBe(2);
    expect((await fix(['--memory-per-process', 'lots', 'manifests'], dir)).code).toBe(2);
  });
});

describe('oneproc fix in the image’s files', () => {
  const PLACES: Array<[string, string, string]> = [
    ['image/dockerfile-cmd', 'Dockerfile', 'CMD ["uvicorn", "main:app", "--port", "8000", "--workers", "1"]'],
    ['image/dockerfile-env', 'Dockerfile', 'ENV WEB_CONCURRENCY=1 PORT=8000'],
    ['image/gunicorn', 'gunicorn.conf.py', 'workers = 1  # one per core, once'],
    ['image/uwsgi', 'uwsgi.ini', 'processes = 1'],
    ['image/puma', 'config/puma.rb', 'workers 1'],
    ['image/pm2', 'ecosystem.config.js', '      instances: 1,'],
    ['image/supervisord', 'supervisord.conf', 'numprocs=1'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, not a JavaScript template
    ['image/script', 'start.sh', 'exec gunicorn --bind 0.0.0.0:8000 --workers ${WORKERS:-1} app:app'],
  ];

  it.each(PLACES)(
    '%s: edits %s on the decisive line only; check then finds no error; twice is once',
    async (folder, file, line) => {
      const name = `${folder}/${file}`;
      const r = await fix(['--write', folder], dir);
      expect(r.code).toBe(0);
      const changed = changedLines(original(name), read(name));
      expect(changed).toHaveLength(1);
      expect(changed[0].endsWith(`→ ${line}`)).toBe(true);
      const checked = await runCheck([folder], { cwd: dir });
      expect(checked.out).toMatch(/^0 errors/m);
      const again = await fix([folder], dir);
      expect(again.code).toBe(0);
      expect(again.out).toBe('');
    },
  );

  it.each([
    [
      'the count itself when its line holds the same number twice (`workers = 4  # workers: 4`)',
      'image/gunicorn',
      'gunicorn.conf.py',
      'bind = "0.0.0.0:8000"\nworkers = 4  # workers: 4 was the old default\n',
      'bind = "0.0.0.0:8000"\nworkers = 1  # workers: 4 was the old default\n',
    ],
    [
      'the value uWSGI reads, not a number of the rest of its ini line (`processes = 4 ; 4 cores`)',
      'image/uwsgi',
      'uwsgi.ini',
      '[uwsgi]\nhttp = :8000\nmodule = app\nprocesses = 4 ; 4 cores\n',
      '[uwsgi]\nhttp = :8000\nmodule = app\nprocesses = 1 ; 4 cores\n',
    ],
    [
      'the literal Puma reads, not the same number in its comment (`workers 4 # workers 4 per box`)',
      'image/puma',
      'config/puma.rb',
      '# Puma\nport 3000\nworkers 4 # workers 4 per box\nthreads 5, 5\n',
      '# Puma\nport 3000\nworkers 1 # workers 4 per box\nthreads 5, 5\n',
    ],
  ])('edits %s', async (_what, folder, file, before, after) => {
    writeFileSync(path.join(dir, folder, file), before);
    const r = await fix(['--write', folder], dir);
    expect(r.code).toBe(0);
    expect(read(`${folder}/${file}`)).toBe(after);
  });

  it('scales the workload that runs the image', async () => {
    const r = await fix(
      ['--write', '--dockerfile', 'image/gunicorn/Dockerfile', '-'],
      dir,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: g}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: app, image: g}]\n',
    );
    expect(r.err).toContain('g: 2 pods × 4 workers → 8 pods × 1 process');
    expect(r.out).toContain('replicas: 8');
    expect(read('image/gunicorn/gunicorn.conf.py')).toContain('workers = 1');
  });
});

describe('SARIF fixes', () => {
  it.each([
    ['the count itself in a config file, not only at its line', 'image/gunicorn', 'gunicorn.conf.py', 3, 11],
    ['the value of a uWSGI ini option', 'image/uwsgi', 'uwsgi.ini', 4, 13],
  ])('points at %s', async (_what, folder, file, line, column) => {
    const r = await runCheck(['--format', 'sarif', folder], { cwd: dir });
    const result = JSON.parse(r.out).runs[0].results[0];
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(`${folder}/${file}`);
    expect(result.locations[0].physicalLocation.region).toEqual({
      startLine: line,
      startColumn: column,
      endColumn: column + 1,
    });
  });

  it('check --format sarif carries each fix as artifactChanges with replacements', async () => {
    const r = await runCheck(['--format', 'sarif', 'manifests/seed.yaml'], { cwd: dir });
    const result = JSON.parse(r.out).runs[0].results[0];
    expect(result.fixes[0].description.text).toContain('web: 2 pods × 4 workers → 8 pods × 1 process');
    const change = result.fixes[0].artifactChanges[0];
    expect(change.artifactLocation.uri).toBe('manifests/seed.yaml');
    expect(change.replacements).toContainEqual({
      deletedRegion: { startLine: 8, startColumn: 13, endLine: 8, endColumn: 14 },
      insertedContent: { text: '8' },
    });
    expect(change.replacements).toContainEqual({
      deletedRegion: { startLine: 20, startColumn: 80, endLine: 20, endColumn: 81 },
      insertedContent: { text: '1' },
    });
  });

  it('fix --format sarif gives the same fixes', async () => {
    const r = await fix(['--format', 'sarif', 'manifests/seed.yaml'], dir);
    expect(r.code).toBe(1);
    expect(
      JSON.parse(r.out).runs[0].results[0].fixes[0].artifactChanges[0].replacements.length,
    ).toBeGreaterThan(3);
  });
});

describe('capacity arithmetic', () => {
  it('divides CPU rounding up to the millicore, never below 10m', () => {
    expect(formatCpu(divideCpu(2000, 4))).toBe('500m');
    expect(formatCpu(divideCpu(1000, 3))).toBe('334m');
    expect(formatCpu(divideCpu(4000, 4))).toBe('1');
    expect(formatCpu(divideCpu(50, 8))).toBe('10m');
    expect(formatCpu(divideCpu(5, 4))).toBe('5m');
  });

  it('makes diffs that patch reads: hunks with context, and a missing final newline said', () => {
    const text = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk';
    expect(unifiedDiff('f', text, [{ start: 20, end: 21, text: 'K' }])).toBe(
      '--- f\n+++ f\n@@ -8,4 +8,4 @@\n h\n i\n j\n-k\n\\ No newline at end of file\n+K\n\\ No newline at end of file\n',
    );
  });
});
