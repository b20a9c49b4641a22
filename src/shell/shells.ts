/**
 * The programs that are a POSIX-family shell, each with the dialect its scripts are read in: `NAME -c
 * SCRIPT` runs SCRIPT (wrappers.ts), `NAME <<EOF` reads a here-document as its script (interpret.ts),
 * and a `#!` line naming one makes a file a shell script (shebang.ts, src/sources/shebang.ts). The one
 * list of shell names; everything that asks "is this a shell" asks here.
 *
 * Dialects: dash is Debian's /bin/sh (dash 0.5.12), and ash, busybox's `sh`/`ash` and posh are the same
 * POSIX family without bash's extensions; bash, rbash (bash restricted, bash 5.2 `shell.c`), zsh, ksh
 * and mksh all have `[[ … ]]`, `source` and `function NAME`, the extensions the reader follows only
 * under bash (interpret.ts).
 */

/** Which shell runs a script: Debian's /bin/sh is dash. */
export type Dialect = 'dash' | 'bash';

const DIALECTS: ReadonlyMap<string, Dialect> = new Map<string, Dialect>([
  ['sh', 'dash'],
  ['dash', 'dash'],
  ['ash', 'dash'],
  ['posh', 'dash'],
  ['busybox-sh', 'dash'],
  ['bash', 'bash'],
  ['rbash', 'bash'],
  ['zsh', 'bash'],
  ['ksh', 'bash'],
  ['mksh', 'bash'],
]);

/** The shells' program names (basenames). */
export const SHELL_PROGRAMS: readonly string[] = [...DIALECTS.keys()];

/** True when `name` (a basename) is a POSIX-family shell the shell reader reads. */
export function isShellProgram(name: string): boolean {
  return DIALECTS.has(name);
}

/** The dialect a shell's scripts are read in; undefined when `name` (a basename) is not a shell. */
export function shellDialect(name: string): Dialect | undefined {
  return DIALECTS.get(name);
}
