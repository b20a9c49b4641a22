/**
 * The composite action (action.yml): its steps run here exactly as the runner runs them — the same
 * scripts, with the runner's environment (GITHUB_ACTION_PATH, GITHUB_OUTPUT, the inputs as env) — on a
 * workspace with a multi-worker Deployment, a clean one, and with oneproc missing. The uploads and
 * setup-node are GitHub's own actions and are not run; their wiring is asserted from action.yml.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../..');

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default: string }>;
  runs: { using: string; steps: Step[] };
};
const step = (name: string) => {
  const s = action.runs.steps.find((x) => x.name === name);
  if (!s) throw new Error(`action.yml has no step '${name}'`);
  return s;
};

let dir: string;
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli/check.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  dir = mkdtempSync(join(tmpdir(), 'oneproc-action-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEPLOYMENT = (command: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers:\n        - name: app\n          image: shop:1\n          command: ${command}\n`;

/** Runs the steps after setup and build, in order, as the runner would; returns outputs and statuses. */
function runSteps(workspace: string, inputs: Record<string, string>, actionPath = ROOT) {
  const outputFile = join(workspace, '..', `${workspace.split('/').pop()}-output`);
  writeFileSync(outputFile, '');
  const env = (s: Step, outputs: Record<string, string>): NodeJS.ProcessEnv => {
    const vars: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_OUTPUT: outputFile,
    };
    for (const [k, v] of Object.entries(s.env ?? {})) {
      vars[k] = v.replace(
        /\$\{\{ (inputs|steps\.check\.outputs)\.([\w-]+) \}\}/g,
        (_m, scope: string, key: string) =>
          scope === 'inputs' ? (inputs[key] ?? action.inputs[key]?.default ?? '') : (outputs[key] ?? ''),
      );
    }
    return vars;
  };
  const readOutputs = () =>
    Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  const check = step('Run oneproc check');
  const run = (s: Step, outputs: Record<string, string>) =>
    spawnSync('bash', ['-c', s.run ?? ''], { cwd: workspace, env: env(s, outputs), encoding: 'utf8' });
  const checked = run(check, {});
  const outputs = readOutputs();
  const verdict = run(step('Fail on findings'), outputs);
  return {
    checked,
    outputs,
    verdict,
    log: checked.stdout + checked.stderr + verdict.stdout + verdict.stderr,
  };
}

function workspace(name: string, files: Record<string, string>): string {
  const ws = join(dir, name);
  mkdirSync(join(ws, 'k8s'), { recursive: true });
  for (const [f, t] of Object.entries(files)) writeFileSync(join(ws, f), t);
  return ws;
}

test('action.yml wires the steps: inputs only through env, upload only after a real run, verdict always', () => {
  expect(action.runs.using).toBe('composite');
  for (const s of action.runs.steps) {
    // An input spliced into a script is a script injection; they go through env.
    if (s.run) expect(s.run).not.toMatch(/\$\{\{/);
  }
  expect(step('Set up Node.js').uses).toMatch(/^actions\/setup-node@v\d+$/);
  expect(step('Build oneproc').run).toContain('scripts/action-build.sh');
  const upload = step('Upload SARIF');
  expect(upload.uses).toMatch(/^github\/codeql-action\/upload-sarif@v\d+$/);
  expect(upload.if).toContain("steps.check.outputs.ran == 'true'");
  expect(upload.if).toContain('always()');
  expect(step('Fail on findings').if).toContain('always()');
  const build = readFileSync(join(ROOT, 'scripts/action-build.sh'), 'utf8');
  expect(build).toContain('npm ci');
  expect(build).toContain('npm run build');
});

test('a multi-worker Deployment: a SARIF report to upload, and the job fails', () => {
  const ws = workspace('bad', { 'k8s/web.yaml': DEPLOYMENT('["uvicorn", "main:app", "--workers", "4"]') });
  const r = runSteps(ws, { paths: 'k8s' });
  expect(r.outputs).toMatchObject({ 'exit-code': '1', ran: 'true', 'sarif-file': 'oneproc.sarif' });
  const sarif = JSON.parse(readFileSync(join(ws, 'oneproc.sarif'), 'utf8'));
  expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['uvicorn']);
  expect(r.verdict.status).toBe(1);
  expect(r.log).toContain('::error title=oneproc::oneproc found containers');
});

test('a clean Deployment passes, and strict makes a warning fail', () => {
  const ws = workspace('clean', {
    'k8s/web.yaml': DEPLOYMENT('["uvicorn", "main:app"]'),
    'k8s/worker.yaml': DEPLOYMENT('["gunicorn", "-w", "$(W)", "app:app"]').replace(
      'name: web }',
      'name: worker }',
    ),
  });
  const r = runSteps(ws, { paths: 'k8s/web.yaml\nk8s/worker.yaml' });
  expect(r.outputs).toMatchObject({ 'exit-code': '0', ran: 'true' });
  expect(r.verdict.status).toBe(0);
  const strict = runSteps(ws, { paths: 'k8s', strict: 'true' });
  expect(strict.outputs['exit-code']).toBe('1');
  expect(strict.verdict.status).toBe(1);
  const wrong = runSteps(ws, { paths: 'k8s', strict: 'yes; rm -rf /' });
  expect(wrong.outputs['exit-code']).toBe('2');
  expect(wrong.verdict.status).toBe(2);
  expect(wrong.log).toContain("takes true or false, not 'yes??rm?-rf??'");
});

test('when oneproc is missing, nothing is uploaded and the job fails', () => {
  const ws = workspace('missing', { 'k8s/web.yaml': DEPLOYMENT('["uvicorn", "main:app"]') });
  const empty = join(dir, 'no-oneproc');
  mkdirSync(join(empty, 'scripts'), { recursive: true });
  cpSync(join(ROOT, 'scripts/action-check.sh'), join(empty, 'scripts/action-check.sh'));
  cpSync(join(ROOT, 'scripts/action-verdict.sh'), join(empty, 'scripts/action-verdict.sh'));
  const r = runSteps(ws, { paths: 'k8s' }, empty);
  expect(r.outputs).toMatchObject({ ran: 'false' });
  expect(r.outputs['exit-code']).not.toBe('0');
  expect(r.verdict.status).not.toBe(0);
  expect(r.log).toContain('oneproc did not write a SARIF report');
});
