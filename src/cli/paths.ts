/**
 * Paths the user names on the command line. A name inside the working directory stays inside it:
 * a repository checked in CI could otherwise name, in its own files, a link to a file of the machine
 * (`k8s/deploy.yaml -> /etc/passwd`, `Dockerfile -> ~/.docker/config.json`) and have oneproc read it.
 * A name outside the working directory (`/tmp/rendered.yaml`, `/dev/stdin`) is the user's own choice.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * Where a named file really is, when its name lies inside `cwd` but links lead it out; undefined when it
 * stays inside, lies outside by name, or does not exist (opening it reports that).
 */
export async function linkLeavesWorkingDirectory(file: string, cwd: string): Promise<string | undefined> {
  const base = path.resolve(cwd);
  const abs = path.resolve(base, file);
  if (!inside(abs, base)) return undefined;
  const real = await fs.realpath(abs).catch(() => undefined);
  if (real === undefined) return undefined;
  const realBase = await fs.realpath(base).catch(() => base);
  return inside(real, realBase) ? undefined : real;
}

/** The reason given for such a file. */
export function leavesMessage(real: string): string {
  return `is a link to ${real}, outside the working directory; oneproc does not read it (name the file itself to check it)`;
}
