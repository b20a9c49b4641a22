/**
 * The `#!` facts the launchers need, from the one `#!` reader (src/shell/shebang.ts): the interpreter's
 * basename, through `env` and s6-overlay's `with-contenv`, and whether it is a shell.
 */
import { readShebang } from '../shell/shebang';
import { isShellProgram } from '../shell/shells';

/** True when `name` (a basename) is a POSIX-family shell the shell reader reads (src/shell/shells.ts). */
export function isShell(name: string): boolean {
  return isShellProgram(name);
}

/**
 * The interpreter's basename on the `#!` line of `text`, or undefined when it has no `#!` line or the
 * line names no program.
 */
export function shebangInterpreter(text: string): string | undefined {
  const shebang = readShebang(text);
  if (!shebang) return undefined;
  const name = shebang.kind === 'shell' ? shebang.program : shebang.interpreter;
  return name === '' ? undefined : name;
}
