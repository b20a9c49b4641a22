/**
 * Which program a command runs: argv[0]'s basename, seen through launchers (`bundle exec`, `npx`,
 * `python -m`) and through a Python interpreter running a script by path. Pure; never throws.
 */
import type { SimpleCommand, Word } from '../shell/types';
import { stripLauncher } from '../shell/wrappers';

/** The basename of argv[0] (`/app/.venv/bin/uvicorn` → `uvicorn`), or '' when there is none. */
export function programName(cmd: SimpleCommand): string {
  const first = cmd.argv[0];
  if (!first) return '';
  const text = first.text;
  const slash = text.lastIndexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : text;
}

/**
 * Launchers that run the program named by a later word: `bundle exec puma`, `npx pm2-runtime`,
 * `python -m celery`. The shell layer strips them with the other wrappers; rules call this too, so that
 * a launcher the shell layer leaves in place (or a command built by hand) is read the same way, from
 * the same table (`stripLauncher`, src/shell/wrappers.ts). Returns the command with argv starting at
 * the launched program, or `cmd` itself.
 */
export function stripLaunchers(cmd: SimpleCommand): SimpleCommand {
  let argv: readonly Word[] = cmd.argv;
  const wrappers = [...cmd.wrappers];
  for (let round = 0; round < 4; round++) {
    const stripped = stripLauncher(argv);
    // `npx -c SCRIPT` runs a script: that is the shell layer's to read.
    if (!stripped || !('argv' in stripped)) break;
    wrappers.push(stripped.name);
    argv = stripped.argv;
  }
  return argv === cmd.argv ? cmd : { ...cmd, argv, wrappers };
}

const PYTHON = /^python(?:\d+(?:\.\d+)?)?$/;
/** Interpreter options that take a value (`python -W ignore script`, `-X dev`). */
const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);

/**
 * `python3 [options] /opt/odoo/odoo-bin …` → the command as if the script ran directly, when the
 * script's basename is one of `names`; otherwise the command unchanged. (`python -m MODULE` is the
 * shell layer's job; scripts run by path are not, since most scripts are not servers.)
 */
export function asScript(cmd: SimpleCommand, names: ReadonlySet<string>): SimpleCommand {
  if (!PYTHON.test(programName(cmd))) return cmd;
  for (let i = 1; i < cmd.argv.length; i++) {
    const text = cmd.argv[i].text;
    if (PYTHON_VALUE_OPTIONS.has(text)) {
      i++;
      continue;
    }
    if (text.startsWith('-')) {
      if (text === '-m' || text === '-c' || text === '-') return cmd;
      continue;
    }
    const base = text.slice(text.lastIndexOf('/') + 1);
    return names.has(base) ? { ...cmd, argv: cmd.argv.slice(i) } : cmd;
  }
  return cmd;
}
