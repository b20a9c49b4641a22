/**
 * A script's `#!` line: which program the kernel runs it with (fs/binfmt_script.c `load_script`: the
 * interpreter path, then at most one argument, the rest of the line), seen through `env` (coreutils
 * env: `/usr/bin/env bash`, and `env -S` which splits the rest into words) and s6-overlay's
 * `with-contenv` (`#!/command/with-contenv bash`: it execs the program after it with the container's
 * environment). The one reader of `#!` lines: the shell reader and the launchers both use it. Pure.
 */
import { type Dialect, shellDialect } from './shells';

export type Shebang =
  /** A shell: dash (`/bin/sh` on Debian, `dash`, busybox `ash`) or bash; `program` is its basename. */
  | { readonly kind: 'shell'; readonly dialect: Dialect; readonly program: string; readonly line: string }
  /** Another interpreter (`python3`, `node`, `ruby`, …): its name without version. */
  | {
      readonly kind: 'other';
      readonly interpreter: string;
      readonly language?: 'python' | 'node' | 'ruby';
      readonly line: string;
    };

/** The `#!` line of `text`; undefined when it has none. */
export function readShebang(text: string): Shebang | undefined {
  if (!text.startsWith('#!')) return undefined;
  const end = text.indexOf('\n');
  const line = (end < 0 ? text : text.slice(0, end)).slice(0, 256).replace(/\r$/, '');
  const words = line
    .slice(2)
    .trim()
    .split(/[ \t]+/)
    .filter((w) => w !== '');
  let k = 0;
  if (words[k] !== undefined && /(?:^|\/)with-contenv$/.test(words[k])) k++;
  if (words[k] !== undefined && /(?:^|\/)env$/.test(words[k])) {
    k++;
    // `env -S 'bash -eu'`, `env -S bash -eu`, `env -i bash`, `env A=B bash`.
    while (
      words[k] !== undefined &&
      (words[k].startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]))
    ) {
      if (/^-\w*S$/.test(words[k]) || words[k] === '--split-string') {
        k++;
        break;
      }
      k++;
    }
  }
  const program = (words[k] ?? '').replace(/^['"]/, '');
  const name = program.slice(program.lastIndexOf('/') + 1);
  const dialect = shellDialect(name);
  if (dialect) return { kind: 'shell', dialect, program: name, line };
  // busybox ash: `#!/bin/busybox sh`.
  if (name === 'busybox' && /^(?:sh|ash)$/.test(words[k + 1] ?? ''))
    return { kind: 'shell', dialect: 'dash', program: words[k + 1] as string, line };
  const language = /^python[0-9.]*$|^pypy[0-9.]*$/.test(name)
    ? 'python'
    : /^(?:node|nodejs)$/.test(name)
      ? 'node'
      : /^ruby[0-9.]*$/.test(name)
        ? 'ruby'
        : undefined;
  return language
    ? { kind: 'other', interpreter: name, language, line }
    : { kind: 'other', interpreter: name, line };
}
