/**
 * The built CLI as an unprivileged user runs it. Root reads every file, so a test of what happens when
 * a file cannot be read must drop to another user (uid/gid 65534, `nobody`) for the kernel to refuse.
 * That user must be able to load the CLI itself, and a checkout under a folder only root may enter
 * (root's home, a `mktemp -d`) is not readable by it: so the CLI — bin/, dist/, package.json and the
 * production dependencies — is copied once into a world-readable temporary folder and run from there.
 * Not root: the checkout's own CLI, run as the current user, whose permissions already apply.
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const NOBODY = 65534;

export interface UnprivilegedCli {
  /** bin/oneproc.js to run with node. */
  readonly bin: string;
  /** Spawn options that drop to the unprivileged user (empty when the tests are not root). */
  readonly user: { readonly uid?: number; readonly gid?: number };
  /** Removes the copy (nothing to remove when not root). */
  cleanup(): void;
}

/** The top-level packages the CLI needs at run time: package-lock.json's entries that are neither dev nor peer. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; peer?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([key, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !p.dev && !p.peer && !p.devOptional)
    .map(([key]) => key);
}

export function unprivilegedCli(): UnprivilegedCli {
  if (process.getuid?.() !== 0) {
    return { bin: path.join(ROOT, 'bin', 'oneproc.js'), user: {}, cleanup: () => {} };
  }
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-cli-copy-'));
  chmodSync(dir, 0o755);
  for (const entry of ['bin', 'dist', 'package.json', ...productionPackages()]) {
    const from = path.join(ROOT, entry);
    if (existsSync(from)) cpSync(from, path.join(dir, entry), { recursive: true });
  }
  return {
    bin: path.join(dir, 'bin', 'oneproc.js'),
    user: { uid: NOBODY, gid: NOBODY },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
