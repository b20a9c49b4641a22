/**
 * `npm pack` of the checkout as a release would ship it, without writing the checkout: package.json,
 * the docs and bin/ are copied into a temporary folder with dist/ (copied when it is newer than every
 * file of src/, which `npm test` builds first, else compiled there), and packed without lifecycle
 * scripts. Other tests run dist/ while this one packs, so the checkout's dist/ is never rebuilt here.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

/** The package's version, from package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** True when dist/ was built after the last change to src/: reuse it. */
function distIsFresh(): boolean {
  const index = join(ROOT, 'dist/index.js');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  return newest(join(ROOT, 'src')) <= built;
}

/**
 * Packs the package into `destination` (created if missing) and returns the tarball's path. `work` is a
 * scratch folder for the copy. `env` is the environment npm runs with.
 */
export function packTarball(work: string, destination: string, env: NodeJS.ProcessEnv = process.env): string {
  const source = join(work, 'package-source');
  mkdirSync(source, { recursive: true });
  mkdirSync(destination, { recursive: true });
  for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    cpSync(join(ROOT, file), join(source, file));
  }
  cpSync(join(ROOT, 'bin'), join(source, 'bin'), { recursive: true });
  if (distIsFresh()) {
    cpSync(join(ROOT, 'dist'), join(source, 'dist'), { recursive: true });
  } else {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    execFileSync(
      process.execPath,
      [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(source, 'dist')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      },
    );
  }
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', destination], {
    cwd: source,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const tarball = join(destination, `oneproc-${packageVersion()}.tgz`);
  if (!existsSync(tarball)) {
    throw new Error(`npm pack wrote ${readdirSync(destination).join(', ')}, not ${tarball}`);
  }
  return tarball;
}
