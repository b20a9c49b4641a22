/**
 * The image a user builds is the one the chart runs: package.json's version is the chart's appVersion
 * (the chart's default tag), the Dockerfile refuses to build otherwise, and the commands docs/install.md
 * gives to push an own image and point Helm or manifests/ at it do exactly that.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { VERSION } from '../../src/version';
import { find, REPO, template } from './helm';

const CHART = fs.readFileSync(path.join(REPO, 'charts', 'oneproc', 'Chart.yaml'), 'utf8');
const APP_VERSION = /^appVersion: "(.+)"$/m.exec(CHART)?.[1];
const CHECK = path.join(REPO, 'scripts', 'check-version.js');

/** The fenced shell commands between the image-commands markers of docs/install.md. */
function documentedCommands(): string[] {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'install.md'), 'utf8');
  const section = /<!-- image-commands:start -->([\s\S]*?)<!-- image-commands:end -->/.exec(doc)?.[1];
  if (!section) throw new Error('docs/install.md has no image-commands section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('the image version', () => {
  test('package.json, the chart appVersion and the running code agree', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
    expect(execFileSync('node', [CHECK], { encoding: 'utf8' })).toBe(
      `version ${VERSION} = the chart's appVersion\n`,
    );
  });

  test('the check fails, saying why, when the two differ', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-version-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '9.9.9' }));
      fs.writeFileSync(path.join(dir, 'Chart.yaml'), CHART);
      const run = spawnSync('node', [CHECK, path.join(dir, 'package.json'), path.join(dir, 'Chart.yaml')], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        `package.json version 9.9.9 is not the chart's appVersion ${APP_VERSION} in ${path.join(dir, 'Chart.yaml')}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the Dockerfile runs the check before it builds, with the files it needs let through .dockerignore', () => {
    const text = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    const instructions = DockerfileParser.parse(text).getInstructions();
    const lines = instructions.map((i) => `${i.getKeyword()} ${i.getArgumentsContent() ?? ''}`.trim());
    const check = lines.indexOf('RUN node scripts/check-version.js');
    expect(check).toBeGreaterThan(0);
    expect(check).toBeLessThan(lines.findIndex((l) => l.startsWith('RUN npm run build')));
    expect(lines.slice(0, check)).toEqual(
      expect.arrayContaining([
        'COPY charts/oneproc/Chart.yaml ./charts/oneproc/Chart.yaml',
        'COPY scripts/check-version.js ./scripts/check-version.js',
      ]),
    );
    const allowed = fs
      .readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    // Sources copied from the build context (not from another stage).
    const copied = text
      .split('\n')
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'src', 'charts/oneproc/Chart.yaml']));
    for (const source of copied)
      expect({ source, allowed: allowed.includes(source) }).toEqual({ source, allowed: true });
  });
});

describe('docs/install.md: push your own image and point the install at it', () => {
  const IMAGE = 'registry.example.com/platform/oneproc';

  test('builds and pushes the appVersion tag', () => {
    const [build] = documentedCommands();
    expect(build).toContain(`VERSION=$(node -p "require('./package.json').version")`);
    expect(build).toContain('docker build -t "$IMAGE:$VERSION" .');
    expect(build).toContain('docker push "$IMAGE:$VERSION"');
  });

  test('the Helm values run that image', async () => {
    const helm = documentedCommands()[1]!;
    const sets = [...helm.matchAll(/--set ([\w.]+)="\$(\w+)"/g)].map((m) => [m[1], m[2]]);
    expect(sets).toEqual([
      ['image.repository', 'IMAGE'],
      ['image.tag', 'VERSION'],
    ]);
    const values = { IMAGE, VERSION };
    const objects = await template(
      Object.fromEntries(sets.map(([key, variable]) => [key!, values[variable as keyof typeof values]])),
    );
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].image).toBe(`${IMAGE}:${VERSION}`);
    const observe = await template({
      'observe.enabled': true,
      ...Object.fromEntries(sets.map(([key, variable]) => [key!, values[variable as keyof typeof values]])),
    });
    expect(find(observe, 'DaemonSet').spec.template.spec.containers[0].image).toBe(`${IMAGE}:${VERSION}`);
  });

  test('the sed line replaces every image of manifests/ and nothing else', () => {
    const sed = documentedCommands()[2]!
      .trim()
      .replace(/\s*\|\s*kubectl apply -f -$/, '');
    const out = execFileSync('sh', ['-c', sed], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, IMAGE, VERSION },
    });
    const original = fs.readFileSync(path.join(REPO, 'manifests', 'oneproc.yaml'), 'utf8');
    expect(original).toContain(`image: ghcr.io/oneproc/oneproc:${VERSION}`);
    expect(out).not.toContain('ghcr.io/oneproc/oneproc');
    expect(out.split('\n').filter((l) => /^\s*image:/.test(l))).toEqual([
      `          image: ${IMAGE}:${VERSION}`,
    ]);
    expect(out.replaceAll(`${IMAGE}:${VERSION}`, `ghcr.io/oneproc/oneproc:${VERSION}`)).toBe(original);
  });
});
