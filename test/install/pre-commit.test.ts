/**
 * The pre-commit hook of .pre-commit-hooks.yaml, run by Debian's real `pre-commit` as a team installs it:
 * a temporary git repository whose .pre-commit-config.yaml points at this package (a snapshot of the
 * working tree, committed in a scratch repository, so the test sees the files as they are now), then
 * `git commit` — refused for a multi-worker Deployment, accepted for a clean one and for unrelated
 * YAML/JSON. pre-commit builds the hook with the machine's node and npm (language: node,
 * language_version: system), as it does for any user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const PRE_COMMIT = '/usr/bin/pre-commit';
/** What `npm pack` of the package needs; node_modules, dist and the rest are left out. */
const PACKAGE_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  '.pre-commit-hooks.yaml',
  '.npmrc',
  'bin',
  'src',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
];

let work: string;
let hookRepo: string;
let rev: string;
const env = (home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  PRE_COMMIT_HOME: join(home, 'pre-commit-cache'),
  GIT_AUTHOR_NAME: 'dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_GLOBAL: join(home, 'gitconfig'),
  GIT_CONFIG_NOSYSTEM: '1',
  // Packages come from the npm cache when it has them (the machine's npm ci filled it): the same install, faster.
  npm_config_prefer_offline: 'true',
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: env(work), encoding: 'utf8' });
}

beforeAll(() => {
  if (!existsSync(PRE_COMMIT)) {
    throw new Error(
      `${PRE_COMMIT} is missing. Install it with: apt-get install -y pre-commit (scripts/setup.sh does)`,
    );
  }
  work = mkdtempSync(join(tmpdir(), 'oneproc-pre-commit-'));
  writeFileSync(join(work, 'gitconfig'), '[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = *\n');
  hookRepo = join(work, 'oneproc');
  mkdirSync(hookRepo);
  for (const f of PACKAGE_FILES) {
    if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(hookRepo, f), { recursive: true });
  }
  git(hookRepo, 'init', '-q');
  git(hookRepo, 'add', '-A');
  git(hookRepo, 'commit', '-qm', 'snapshot');
  rev = git(hookRepo, 'rev-parse', 'HEAD').trim();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const DEPLOYMENT = (args: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: app
          image: shop:1
          command: ${args}
`;

function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  git(dir, 'init', '-q');
  writeFileSync(
    join(dir, '.pre-commit-config.yaml'),
    `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: oneproc-check\n        language_version: system\n`,
  );
  git(dir, 'add', '.pre-commit-config.yaml');
  git(dir, 'commit', '-qm', 'hooks', '--no-verify');
  const install = spawnSync(PRE_COMMIT, ['install'], { cwd: dir, env: env(work), encoding: 'utf8' });
  expect(install.status).toBe(0);
  return dir;
}

function commit(dir: string, files: Record<string, string>) {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, relative(dir, join(dir, file, '..'))), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  git(dir, 'add', '-A');
  return spawnSync('git', ['commit', '-m', 'change'], {
    cwd: dir,
    env: env(work),
    encoding: 'utf8',
    timeout: 600_000,
  });
}

test('a multi-worker Deployment is refused, a clean one and unrelated files are accepted', () => {
  const dir = project('app');
  // The first commit also builds the hook's environment (npm install of the package): minutes, once.
  const bad = commit(dir, { 'k8s/web.yaml': DEPLOYMENT('["uvicorn", "main:app", "--workers", "4"]') });
  expect(bad.status).toBe(1);
  expect(bad.stdout + bad.stderr).toContain('uvicorn starts 4 worker processes');
  expect(git(dir, 'log', '--oneline').trim().split('\n')).toHaveLength(1);

  const good = commit(dir, { 'k8s/web.yaml': DEPLOYMENT('["uvicorn", "main:app"]') });
  expect({ status: good.status, out: good.stdout + good.stderr }).toMatchObject({ status: 0 });
  expect(good.stdout + good.stderr).toMatch(/oneproc check\.+Passed/);

  const unrelated = commit(dir, {
    'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
    '.github/workflows/ci.yml':
      'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{ run: echo hi }]\n',
  });
  expect({ status: unrelated.status, out: unrelated.stdout + unrelated.stderr }).toMatchObject({ status: 0 });
  expect(git(dir, 'log', '--oneline').trim().split('\n')).toHaveLength(3);
}, 900_000);
