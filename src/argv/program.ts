/**
 * Which program a command runs: argv[0]'s basename, seen through launchers (`bundle exec`, `npx`,
 * `python -m`) and through a Python interpreter running a script by path. Pure; never throws.
 */
import type { SimpleCommand, Word } from '../shell/types';

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
 * `python -m celery`. The shell layer strips the common wrappers; rules call this too, so that a
 * launcher the shell layer leaves in place (or a command built by hand) is read the same way.
 * Returns the command with argv starting at the launched program, or `cmd` itself.
 */
export function stripLaunchers(cmd: SimpleCommand): SimpleCommand {
  let argv = cmd.argv;
  const wrappers = [...cmd.wrappers];
  for (let round = 0; round < 4; round++) {
    const skip = launcherLength(argv);
    if (skip === 0 || skip >= argv.length) break;
    wrappers.push(
      argv
        .slice(0, skip)
        .map((w) => w.text)
        .join(' '),
    );
    argv = argv.slice(skip);
  }
  return argv === cmd.argv ? cmd : { ...cmd, argv, wrappers };
}

/** How many leading words of argv are a launcher (0 when argv[0] is not one). */
function launcherLength(argv: readonly Word[]): number {
  const first = argv[0];
  if (!first || first.unknown) return 0;
  const name = basename(first.text);
  const second = argv[1]?.text;
  // Bundler: `bundle exec [--keep-file-descriptors] [--gemfile=G] PROGRAM`.
  if ((name === 'bundle' || name === 'bundler') && second === 'exec') {
    let i = 2;
    while (i < argv.length && argv[i].text.startsWith('--')) i++;
    return i;
  }
  // `npx [-y|--yes|--no-install|-q] PROGRAM`, `npm exec [--] PROGRAM`, `pnpm exec`, `yarn exec`.
  if (name === 'npx' || ((name === 'npm' || name === 'pnpm' || name === 'yarn') && second === 'exec')) {
    let i = name === 'npx' ? 1 : 2;
    while (i < argv.length && /^(-y|--yes|--no|--no-install|-q|--quiet|--)$/.test(argv[i].text)) i++;
    return i;
  }
  // `python -m MODULE`, `python3.12 -m MODULE` (also `-u`, `-O`, … before `-m`).
  if (/^python(\d+(\.\d+)?)?$/.test(name)) {
    let i = 1;
    while (i < argv.length && /^-[uOBsSEI]+$/.test(argv[i].text)) i++;
    if (argv[i]?.text === '-m') return i + 1;
  }
  return 0;
}

function basename(text: string): string {
  const slash = text.lastIndexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : text;
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
