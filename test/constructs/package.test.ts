/**
 * The package as a user installs it: `npm pack` of a fresh build, installed into an empty folder with
 * cdk8s, cdk8s-plus-27 and constructs from the registry, and a small user app that imports
 * `{ SingleProcessApp } from 'oneproc'` (as ESM, as CommonJS and as type-checked TypeScript) and
 * synthesizes. Packed by test/helpers/pack.ts, which never writes the checkout's dist/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packTarball, ROOT } from '../helpers/pack';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 90000,
  });
}

const USER_APP_ESM = `
import { App, Chart } from 'cdk8s';
import { SingleProcessApp } from 'oneproc';

const app = new App({ outdir: 'out' });
const chart = new Chart(app, 'shop');
new SingleProcessApp(chart, 'web', {
  name: 'shop',
  image: 'ghcr.io/acme/shop:2.0.1',
  command: ['uvicorn', 'shop.main:app', '--host', '0.0.0.0', '--port', '8000'],
  port: 8000,
  redis: { password: { secret: 'shop-redis', key: 'password' } },
});
process.stdout.write(app.synthYaml());
`;

const USER_APP_CJS = `
const { Chart, Testing } = require('cdk8s');
const { SingleProcessApp, MultipleWorkersError } = require('oneproc');
const chart = new Chart(Testing.app(), 'shop');
try {
  new SingleProcessApp(chart, 'web', { image: 'shop:1', command: ['gunicorn', '-w', '4', 'app:app'], port: 8000 });
  console.log('no error');
} catch (err) {
  console.log(err instanceof MultipleWorkersError ? err.name : 'other error: ' + err);
}
`;

const USER_APP_TS = `
import { Chart, Testing } from 'cdk8s';
import { SingleProcessApp, type SingleProcessAppProps } from 'oneproc';
const props: SingleProcessAppProps = { image: 'shop:1', port: 8000, replicas: { min: 2, max: 5 } };
const app: SingleProcessApp = new SingleProcessApp(new Chart(Testing.app(), 'shop'), 'web', props);
const min: number = app.minReplicas;
export { min };
`;

describe('the installed package', () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'oneproc-package-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('npm pack, install with cdk8s, import { SingleProcessApp } from "oneproc", synthesize', () => {
    // A fresh build of the package, packed without lifecycle scripts.
    const tarball = packTarball(work, work);
    expect(basename(tarball)).toBe(`oneproc-${pkg.version}.tgz`);

    // An empty user project: the tarball plus the peers, from the registry (cached after npm ci).
    // Optional dependencies are left out: cdk8s-plus-27's `backport` alone is ~110 packages.
    const user = join(work, 'user');
    mkdirSync(user);
    writeFileSync(
      join(user, 'package.json'),
      JSON.stringify({ name: 'shop-infra', private: true, version: '1.0.0' }),
    );
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--omit=optional',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        tarball,
        `cdk8s@${pkg.peerDependencies.cdk8s}`,
        `cdk8s-plus-27@${pkg.peerDependencies['cdk8s-plus-27']}`,
        `constructs@${pkg.peerDependencies.constructs}`,
      ],
      user,
    );

    writeFileSync(join(user, 'main.mjs'), USER_APP_ESM);
    const yaml = run(process.execPath, ['main.mjs'], user);
    const objects = parseAllDocuments(yaml).map((d) => d.toJS());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/shop-redis',
      'Deployment/shop-redis',
      'NetworkPolicy/shop-redis',
      'Deployment/shop',
      'Service/shop',
      'HorizontalPodAutoscaler/shop',
      'PodDisruptionBudget/shop',
    ]);
    expect(objects[3].spec.template.spec.containers[0].env.at(-2)).toEqual({
      name: 'REDIS_URL',
      value: 'redis://:$(REDIS_PASSWORD)@shop-redis:6379/0',
    });

    writeFileSync(join(user, 'main.cjs'), USER_APP_CJS);
    expect(run(process.execPath, ['main.cjs'], user).trim()).toBe('MultipleWorkersError');

    writeFileSync(join(user, 'main.ts'), USER_APP_TS);
    writeFileSync(
      join(user, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'node16',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], user);
  }, 120000);
});
