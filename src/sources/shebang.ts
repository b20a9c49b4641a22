/**
 * What a file's `#!` line runs, read one way for every reader: the interpreter's basename, through
 * `env` (`#!/usr/bin/env bash`) and s6-overlay's `with-contenv` (`#!/command/with-contenv bash`),
 * which run the program named after them.
 */
import { SHELL_PROGRAMS } from '../names';
import { basename } from '../shell/wrappers';

const SHELLS: ReadonlySet<string> = new Set(SHELL_PROGRAMS);

/** True when `name` (a basename) is a POSIX-family shell the shell reader reads. */
export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

/**
 * The interpreter's basename on the `#!` line of `text`, or undefined when it has no `#!` line or the
 * line names no program.
 * `env`'s own options (`env -S bash -e`, `env -i bash`) are skipped.
 */
export function shebangInterpreter(text: string): string | undefined {
  if (!text.startsWith('#!')) return undefined;
  const words = text
    .slice(2, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined)
    .trim()
    .split(/\s+/);
  if (!words[0]) return undefined;
  let i = 0;
  let name = basename(words[0]);
  while ((name === 'env' || name === 'with-contenv') && i + 1 < words.length) {
    i++;
    while (i < words.length - 1 && words[i].startsWith('-')) i++;
    name = basename(words[i]);
  }
  return name;
}
