/**
 * Records every file the process opens or folder it lists while a check runs, by wrapping node:fs
 * (sync, callback and promise forms), and keeps those whose real path lies outside the allowed
 * folders: the repository being checked, and oneproc's own installation (its sources and
 * node_modules, e.g. the Python grammar's WebAssembly). A stat or readlink is not a read: resolving a
 * link inside the root needs them. Install it before the code under test is loaded.
 */
import * as os from 'node:os';
import * as path from 'node:path';

// The module object itself: a namespace import is a copy whose properties cannot be replaced.
import fs = require('node:fs');

const INSTALL = [
  path.resolve(__dirname, '..', '..'),
  path.resolve(__dirname, '..', '..', 'node_modules'),
].map(real);
/** tsx keeps its compiled files here and may read them when a module is first required. */
const TSX_CACHE = path.join(real(os.tmpdir()), 'tsx-');

let root: string | undefined;
let outside: string[] = [];

function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

function record(target: unknown): void {
  if (root === undefined) return;
  let name: string;
  if (typeof target === 'string') name = target;
  else if (Buffer.isBuffer(target)) name = target.toString();
  else if (target instanceof URL) name = target.pathname;
  else return; // a file descriptor: its open was recorded
  const resolved = real(path.resolve(root, name));
  if (
    within(resolved, root) ||
    INSTALL.some((dir) => within(resolved, dir)) ||
    resolved.startsWith(TSX_CACHE)
  )
    return;
  if (outside.length < 20 && !outside.includes(resolved)) outside.push(resolved);
}

type AnyFunction = (...args: unknown[]) => unknown;

function wrap(owner: object, names: readonly string[]): void {
  const target = owner as Record<string, AnyFunction>;
  for (const name of names) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function (this: unknown, ...args: unknown[]) {
      record(args[0]);
      return original.apply(this, args);
    };
  }
}

let installed = false;

/** Wraps node:fs once per process. */
export function installReadGuard(): void {
  if (installed) return;
  installed = true;
  wrap(fs, [
    'readFileSync',
    'openSync',
    'readdirSync',
    'opendirSync',
    'createReadStream',
    'readFile',
    'open',
    'readdir',
    'opendir',
  ]);
  wrap(fs.promises, ['readFile', 'open', 'readdir', 'opendir']);
}

/** Starts recording reads outside `dir` (and oneproc's installation). */
export function watchReads(dir: string): void {
  root = real(dir);
  outside = [];
}

/** Stops recording; the real paths read outside the allowed folders (at most 20). */
export function readsOutside(): string[] {
  root = undefined;
  return outside;
}
