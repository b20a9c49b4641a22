/**
 * The first hour of a new user, from the README's own text: the package is packed as the README's
 * "Install" section packs it, a fresh cdk8s app in a temporary folder is made and installed with the
 * quick start's exact commands (one `npm install`), its cdk8s.yaml and main.ts are the README's blocks,
 * `npx cdk8s synth` runs, then the README's GitHub Actions job runs step by step as a runner would
 * (green on the clean app, red with `--workers 4`, red when oneproc is not installed), and the chart is
 * rendered with the rollout's `helm install` values. Each command comes from a fenced block marked
 * `<!-- readme-test: NAME -->` in README.md, so this test fails when the README drifts from what works.
 *
 * npm reaches the registry, with the user's npm cache (filled by the checkout's `npm ci`) preferred.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { packageVersion, packTarball, ROOT } from '../helpers/pack';
import { HELM, type K8sObject, requireHelm } from '../install/helm';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const VERSION = packageVersion();

/** The fenced block after `<!-- readme-test: NAME -->`, without the list indentation it sits in. */
function readmeBlock(name: string): { lang: string; text: string } {
  const marker = README.indexOf(`<!-- readme-test: ${name} -->`);
  if (marker < 0) throw new Error(`README.md has no block marked <!-- readme-test: ${name} -->`);
  const rest = README.slice(marker).split('\n').slice(1);
  const open = /^(\s*)```(\w*)/.exec(rest[0] ?? '');
  if (!open) throw new Error(`the line after <!-- readme-test: ${name} --> does not open a fenced block`);
  const indent = open[1].length;
  const end = rest.findIndex((line, i) => i > 0 && line.trim() === '```');
  if (end < 0) throw new Error(`the block marked ${name} is not closed`);
  const text = rest
    .slice(1, end)
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n');
  return { lang: open[2], text: `${text}\n` };
}

/**
 * The environment a user's shell would give: no npm_* variables of the npm that runs this test (its
 * prefix would point npm at the checkout), no node_modules/.bin of the checkout on PATH (no oneproc
 * but the installed one), and no cdk8s-cli self-update check (a look-up of registry.npmjs.org that
 * has nothing to do with the walk).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !dir.includes(`node_modules${path.sep}.bin`))
    .join(path.delimiter);
  env.npm_config_prefer_offline = 'true';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  env.CDK8S_CHECK_UPGRADE = 'false';
  return env;
}

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeout = 300_000): Ran {
  const r = spawnSync('bash', ['-e', '-c', script], { cwd, env, encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Ran, what: string): Ran {
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return r;
}

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

interface JobRun {
  /** The job's conclusion as GitHub would show it. */
  green: boolean;
  /** What each step did: `ran`, `failed (exit N)`, `skipped`, `uploaded FILE`. */
  steps: string[];
  /** The SARIF log the upload step sent, parsed. */
  uploaded?: { version: string; runs: Array<{ results: Array<{ ruleId: string; level: string }> }> };
  log: string;
}

/**
 * Runs the README's GitHub Actions job in `app` as a runner does: each `run` step with `bash -e` (the
 * runner's default shell), `$GITHUB_OUTPUT` read back into `steps.ID.outputs`, a step skipped after a
 * failure unless its `if` says otherwise; the upload step "uploads" by parsing its SARIF file. Only the
 * expressions the snippet uses are understood; any other is an error, never a guess.
 */
function runJob(workflow: string, app: string, env: NodeJS.ProcessEnv): JobRun {
  const jobs = (parse(workflow) as { jobs: Record<string, { steps: Step[] }> }).jobs;
  const [job] = Object.values(jobs);
  const outputs: Record<string, Record<string, string>> = {};
  const result: JobRun = { green: true, steps: [], log: '' };
  const expression = (text: string): string => {
    const m = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec(text.trim());
    if (!m) throw new Error(`unsupported expression in the README's CI snippet: ${text}`);
    return outputs[m[1]]?.[m[2]] ?? '';
  };
  const condition = (text: string | undefined): boolean => {
    if (text === undefined) return result.green;
    const inner = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
    return inner.split('&&').every((term) => {
      const t = term.trim();
      if (t === '!cancelled()' || t === 'always()') return true;
      if (t === 'success()') return result.green;
      if (t === 'failure()') return !result.green;
      const m = /^steps\.([\w-]+)\.outputs\.([\w-]+)\s*(==|!=)\s*''$/.exec(t);
      if (!m) throw new Error(`unsupported condition in the README's CI snippet: ${t}`);
      const value = outputs[m[1]]?.[m[2]] ?? '';
      return m[3] === '==' ? value === '' : value !== '';
    });
  };
  const outputFile = path.join(app, '..', 'github-output');
  for (const step of job.steps) {
    const label = step.name ?? step.run?.split('\n')[0] ?? step.uses ?? '?';
    if (!condition(step.if)) {
      result.steps.push(`${label}: skipped`);
      continue;
    }
    if (step.uses?.startsWith('actions/checkout@') || step.uses?.startsWith('actions/setup-node@')) {
      result.steps.push(`${label}: done by the test`); // the app folder is the checkout; node runs this test
      continue;
    }
    if (step.run?.trim() === 'npm ci') {
      // The README's install command installed exactly the lockfile's packages a moment ago.
      result.steps.push(`${label}: done by the install`);
      continue;
    }
    if (step.uses?.startsWith('github/codeql-action/upload-sarif@')) {
      const file = expression(String(step.with?.sarif_file ?? ''));
      const text = readFileSync(path.join(app, file), 'utf8'); // the upload fails on a missing file too
      result.uploaded = JSON.parse(text);
      result.steps.push(`${label}: uploaded ${file}`);
      continue;
    }
    if (step.run === undefined)
      throw new Error(`the README's CI snippet has a step this test cannot run: ${label}`);
    writeFileSync(outputFile, '');
    const script = path.join(app, '..', 'step.sh');
    writeFileSync(script, step.run);
    const r = spawnSync('bash', ['-e', script], {
      cwd: app,
      env: { ...env, GITHUB_OUTPUT: outputFile, CI: 'true', GITHUB_ACTIONS: 'true' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.error) throw r.error;
    result.log += `$ ${label}\n${r.stdout}${r.stderr}`;
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (r.status === 0) result.steps.push(`${label}: ran`);
    else {
      result.steps.push(`${label}: failed (exit ${r.status})`);
      result.green = false;
    }
  }
  return result;
}

describe('a new user, following the README', () => {
  const env = userEnv();
  let work = '';
  let app = '';
  let mainTs = '';

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'oneproc-new-user-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('packs oneproc, makes a cdk8s app with the quick start and synthesizes it', () => {
    // "Install": a checkout in ./oneproc, packed. The README's clone is this checkout.
    const pack = readmeBlock('pack').text;
    expect(pack).toContain('npm pack');
    expect(pack).toContain(`oneproc/oneproc-${VERSION}.tgz`);
    packTarball(work, path.join(work, 'oneproc'), env);

    // The quick start, word for word: mkdir, npm init, cp of the tarball, one npm install.
    const quickStart = readmeBlock('quick-start').text;
    expect(quickStart).toContain(`./oneproc-${VERSION}.tgz`);
    ok(bash(quickStart, work, env, 600_000), "the README's quick start");
    app = path.join(work, /mkdir (\S+)/.exec(quickStart)?.[1] ?? 'shop-infra');
    const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(
      ['cdk8s', 'cdk8s-cli', 'cdk8s-plus-27', 'constructs', 'oneproc', 'tsx'].sort(),
    );

    writeFileSync(path.join(app, 'cdk8s.yaml'), readmeBlock('cdk8s.yaml').text);
    mainTs = readmeBlock('main.ts').text;
    writeFileSync(path.join(app, 'main.ts'), mainTs);
    const synth = ok(bash(readmeBlock('synth').text, app, env), 'npx cdk8s synth');
    expect(synth.stdout).toContain('dist/shop.k8s.yaml');
    const objects = parseAllDocuments(readFileSync(path.join(app, 'dist', 'shop.k8s.yaml'), 'utf8')).map(
      (d) => d.toJS() as K8sObject,
    );
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop');
    expect(deployment?.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/instance': 'shop',
      'app.kubernetes.io/component': 'server',
    });
    expect(deployment?.spec.template.spec.containers[0].command).toEqual([
      'uvicorn',
      'shop.main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
  }, 900_000);

  test('the CI job is green on the clean app, and uploads its SARIF', () => {
    if (!app) throw new Error('the app was not made: see the first test');
    const ci = readmeBlock('ci');
    expect(ci.lang).toBe('yaml');
    const run = runJob(ci.text, app, env);
    expect({ green: run.green, steps: run.steps }).toEqual({
      green: true,
      steps: [
        'actions/checkout@v4: done by the test',
        'actions/setup-node@v4: done by the test',
        'npm ci: done by the install',
        'npx cdk8s synth --no-check-upgrade: ran',
        'oneproc check: ran',
        'upload the findings: uploaded oneproc.sarif',
      ],
    });
    expect(run.uploaded?.version).toBe('2.1.0');
    expect(run.uploaded?.runs[0].results).toEqual([]);
  }, 600_000);

  test('red with --workers 4: the construct fails the synth, a plain Deployment fails the check', () => {
    if (!app) throw new Error('the app was not made: see the first test');
    const ci = readmeBlock('ci').text;
    try {
      // SingleProcessApp refuses it: cdk8s synth fails, nothing is checked or uploaded.
      writeFileSync(
        path.join(app, 'main.ts'),
        mainTs.replace("'--port', '8000'", "'--port', '8000', '--workers', '4'"),
      );
      const refused = runJob(ci, app, env);
      expect(refused.green).toBe(false);
      expect(refused.steps.slice(3)).toEqual([
        'npx cdk8s synth --no-check-upgrade: failed (exit 1)',
        'oneproc check: skipped',
        'upload the findings: skipped',
      ]);
      expect(refused.log).toContain('uvicorn starts 4 worker processes');
      expect(refused.log).toContain('allowMultipleWorkers');

      // A Deployment written with cdk8s-plus-27 itself: only `oneproc check` sees it. Red, and uploaded.
      const plain = mainTs
        .replace(
          "import { App, Chart } from 'cdk8s';",
          "import { App, Chart } from 'cdk8s';\nimport { Deployment } from 'cdk8s-plus-27';",
        )
        .replace(
          'app.synth();',
          "new Deployment(chart, 'worker', {\n  containers: [{ image: 'ghcr.io/acme/shop:2.0.1', command: ['uvicorn', 'shop.main:app', '--workers', '4'] }],\n});\n\napp.synth();",
        );
      expect(plain).toContain('new Deployment');
      writeFileSync(path.join(app, 'main.ts'), plain);
      const found = runJob(ci, app, env);
      expect(found.green).toBe(false);
      expect(found.steps.slice(3)).toEqual([
        'npx cdk8s synth --no-check-upgrade: ran',
        'oneproc check: failed (exit 1)',
        'upload the findings: uploaded oneproc.sarif',
      ]);
      expect(found.uploaded?.runs[0].results).toEqual([
        expect.objectContaining({ ruleId: 'uvicorn', level: 'error' }),
      ]);
    } finally {
      writeFileSync(path.join(app, 'main.ts'), mainTs);
    }
  }, 600_000);

  test('red when oneproc is not installed, and nothing is uploaded', () => {
    if (!app) throw new Error('the app was not made: see the first test');
    // An app that synthesizes without oneproc (plain cdk8s-plus-27), whose CI runs the check: the step
    // must fail when the command is missing, not pass with an empty SARIF log.
    const withoutOneproc = [
      "import { App, Chart } from 'cdk8s';",
      "import { Deployment } from 'cdk8s-plus-27';",
      '',
      'const app = new App();',
      "const chart = new Chart(app, 'shop');",
      "new Deployment(chart, 'web', { containers: [{ image: 'ghcr.io/acme/shop:2.0.1', command: ['uvicorn', 'shop.main:app'] }] });",
      'app.synth();',
      '',
    ].join('\n');
    const onPath = (env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => existsSync(path.join(dir, 'oneproc')));
    expect(onPath).toEqual([]); // else this would test that machine's oneproc
    const moved = path.join(work, 'moved');
    mkdirSync(moved);
    const installed = [
      path.join(app, 'node_modules', 'oneproc'),
      path.join(app, 'node_modules', '.bin', 'oneproc'),
    ];
    writeFileSync(path.join(app, 'main.ts'), withoutOneproc);
    for (const [i, p] of installed.entries()) renameSync(p, path.join(moved, String(i)));
    try {
      const run = runJob(readmeBlock('ci').text, app, env);
      expect(run.green).toBe(false);
      expect(run.steps.slice(3)).toEqual([
        'npx cdk8s synth --no-check-upgrade: ran',
        'oneproc check: failed (exit 1)',
        'upload the findings: skipped',
      ]);
      expect(run.log).toMatch(/::error::oneproc did not run \(exit status [1-9]\d*\)/);
    } finally {
      for (const [i, p] of installed.entries()) renameSync(path.join(moved, String(i)), p);
      writeFileSync(path.join(app, 'main.ts'), mainTs);
    }
  }, 600_000);
});

describe("the webhook, installed with the README's values", () => {
  test('helm template renders the warn-mode install with your image', () => {
    requireHelm();
    const block = readmeBlock('rollout-install').text.replace(/\\\n\s*/g, '');
    const lines = block
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    // docker cannot run here: the commands must build and push the very image the chart is pointed at.
    expect(lines).toContain('docker build -t "$IMAGE:$VERSION" . && docker push "$IMAGE:$VERSION"');
    const script = lines
      .filter((line) => !line.startsWith('docker '))
      .map((line) => line.replace(/^helm install /, 'helm template '))
      .join('\n');
    expect(script).toContain('helm template oneproc charts/oneproc');
    const home = mkdtempSync(path.join(tmpdir(), 'oneproc-helm-'));
    try {
      const r = ok(
        bash(script, ROOT, {
          PATH: `${path.dirname(HELM)}${path.delimiter}${process.env.PATH}`,
          HOME: home,
          KUBECONFIG: path.join(home, 'no-kubeconfig'),
        }),
        "the README's helm install, as helm template",
      );
      const objects = parseAllDocuments(r.stdout)
        .map((d) => d.toJS() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null);
      const image = /^IMAGE=(\S+)/m.exec(block)?.[1];
      const webhook = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.namespace === 'oneproc-system',
      );
      const container = webhook?.spec.template.spec.containers[0];
      expect(container.image).toBe(`${image}:${VERSION}`);
      expect(
        container.args.slice(container.args.indexOf('--mode'), container.args.indexOf('--mode') + 2),
      ).toEqual(['--mode', 'warn']);
      const config = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
      const fallback = config?.webhooks.find((w: { name: string }) => w.name === 'default.oneproc.dev');
      expect(fallback.failurePolicy).toBe('Ignore'); // warn mode never blocks an apply
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
