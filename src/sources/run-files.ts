/**
 * What a Dockerfile's RUN line does to the image's files, as far as oneproc models it: the simple file
 * operations (`mv`, `cp`, `install`, `ln`, `rm`, `mkdir`, `chmod`, `cd`), read from the commands the
 * one shell interpreter finds in the line (`argvCommands`), in order. What a command writes in another
 * way (`curl -o`, `sed -i`, `tar -x -C`, `git clone`) is recorded as unknown at that place, so a
 * reader that needs a file there says which RUN line made it instead of reading a stale copy. Pure.
 *
 * Option parsing follows GNU coreutils 9.1 (src/mv.c, src/cp.c, src/install.c, src/ln.c, src/rm.c:
 * the `getopt_long` strings) and BusyBox's applets, which accept a subset of the same options.
 */
import { posix } from 'node:path';
import { argvCommands } from '../shell';
import type { Env, EnvEntry, SimpleCommand } from '../shell/types';

/**
 * One change to the image's files. Paths are absolute image paths; a source may end in a glob
 * (`/app/docker/*.sh`), matched by name in its folder.
 */
export type RunFileOp =
  /**
   * `mv`, `cp`, `install`, `ln` (a hard link is a copy): each source is placed at `dest`, or into
   * `dest` as a folder. `folder` is `yes` when the command says so (several sources, a glob, `-t DIR`,
   * a trailing slash), `no` with `-T` (or `install` of one file), `maybe` when it depends on whether
   * `dest` is a folder at build time (both are tried).
   */
  | {
      readonly op: 'move' | 'copy';
      readonly sources: readonly string[];
      readonly dest: string;
      readonly folder: 'yes' | 'no' | 'maybe';
      readonly line: number;
      readonly text: string;
    }
  /** `ln -s TARGET LINK`: `target` as written (relative to the link's folder when relative). */
  | {
      readonly op: 'link';
      readonly target: string;
      readonly dest: string;
      readonly folder: 'yes' | 'no' | 'maybe';
      readonly line: number;
      readonly text: string;
    }
  | { readonly op: 'remove'; readonly paths: readonly string[]; readonly line: number; readonly text: string }
  /** `mkdir [-p]`, `install -d` (and WORKDIR): folders, which decide where a later `mv`/`cp` lands. */
  | { readonly op: 'folder'; readonly paths: readonly string[]; readonly line: number; readonly text: string }
  /** Edited in place (`sed -i`): read as copied, with a note that the file was changed at build time. */
  | {
      readonly op: 'edit';
      readonly paths: readonly string[];
      readonly why: string;
      readonly line: number;
      readonly text: string;
    }
  /** Written in a way oneproc does not model: what is read there is not what was copied. */
  | {
      readonly op: 'unknown';
      readonly paths: readonly string[];
      readonly why: string;
      readonly line: number;
      readonly text: string;
    };

export interface RunFilesResult {
  readonly ops: RunFileOp[];
  /** The working directory after the line (RUN's `cd` does not outlive it: callers keep WORKDIR). */
  readonly cwd: string | undefined;
}

/**
 * The file operations of one RUN line. `script` is the shell text (a heredoc's body, or the shell
 * form's text), `cwd` the stage's WORKDIR, `env` its ENV and ARG values.
 */
export function runFileOps(
  script: string,
  line: number,
  cwd: string,
  vars: ReadonlyMap<string, string>,
): RunFilesResult {
  const env = new Map<string, EnvEntry>();
  for (const [name, value] of vars) env.set(name, { name, value, path: `RUN:${line}` });
  const words = ['/bin/sh', '-c', script].map((text) => ({ text, path: `RUN:${line}` }));
  const { commands } = argvCommands(words, env as Env);
  return execOps(commands, line, cwd);
}

/** The file operations of an exec-form RUN (`RUN ["mv", "a", "b"]`): its words as they are. */
export function runExecFileOps(argv: readonly string[], line: number, cwd: string): RunFilesResult {
  const { commands } = argvCommands(
    argv.map((text) => ({ text, path: `RUN:${line}` })),
    new Map(),
  );
  return execOps(commands, line, cwd);
}

function execOps(commands: readonly SimpleCommand[], line: number, start: string): RunFilesResult {
  const ops: RunFileOp[] = [];
  let cwd: string | undefined = start;
  for (const cmd of commands) {
    const argv = cmd.argv;
    if (argv.length === 0) continue;
    const program = argv[0].unknown ? '' : posix.basename(argv[0].text);
    const text = argv
      .map((w) => w.text)
      .join(' ')
      .slice(0, 120);
    const known = argv.every((w) => w.unknown === undefined);
    const at = (p: string): string | undefined =>
      p.startsWith('/') ? normalize(p) : cwd === undefined ? undefined : normalize(`${cwd}/${p}`);
    if (program === 'cd') {
      const dir = argv[1];
      cwd = dir && !dir.unknown && !dir.text.startsWith('-') ? at(dir.text) : dir ? undefined : '/root';
      continue;
    }
    if (program === 'mkdir' || (program === 'install' && argv.some((w) => /^-[a-zA-Z]*d/.test(w.text)))) {
      // `-m MODE`, `-o OWNER`, `-g GROUP` take the next word (coreutils mkdir.c, install.c).
      const dirs: string[] = [];
      for (let i = 1; i < argv.length; i++) {
        const w = argv[i];
        if (/^-[a-zA-Z]*[mog]$/.test(w.text)) i++;
        else if (!w.text.startsWith('-') && !w.unknown) {
          const dir = at(w.text);
          if (dir) dirs.push(dir);
        }
      }
      if (dirs.length > 0) ops.push({ op: 'folder', paths: dirs, line, text });
      continue;
    }
    const parsed = parseFileCommand(
      program,
      argv.slice(1).map((w) => w.text),
    );
    if (parsed === undefined) {
      const written = writtenBy(
        program,
        argv.slice(1).map((w) => w.text),
      );
      if (written) {
        const paths = written.paths.map(at).filter((p): p is string => p !== undefined);
        if (paths.length > 0)
          ops.push({ op: written.edit ? 'edit' : 'unknown', paths, why: written.why, line, text });
      }
      continue;
    }
    if (!known) {
      // A path that is not known (`mv "$SRC" /app`): what lands at a known destination is unknown.
      const dest = argv[argv.length - 1];
      if (parsed.kind !== 'remove' && !dest.unknown) {
        const d = at(dest.text);
        if (d)
          ops.push({
            op: 'unknown',
            paths: [d],
            why: 'a path in the command is not known at build time',
            line,
            text,
          });
      }
      continue;
    }
    const resolved = (list: readonly string[]) => list.map(at);
    if (parsed.kind === 'remove') {
      const paths = resolved(parsed.paths).filter((p): p is string => p !== undefined);
      if (paths.length > 0) ops.push({ op: 'remove', paths, line, text });
      continue;
    }
    const dest = at(parsed.dest);
    if (dest === undefined) continue;
    if (parsed.kind === 'link') {
      ops.push({ op: 'link', target: parsed.sources[0], dest, folder: parsed.folder, line, text });
      continue;
    }
    const sources = resolved(parsed.sources);
    if (sources.some((s) => s === undefined)) continue;
    ops.push({ op: parsed.kind, sources: sources as string[], dest, folder: parsed.folder, line, text });
  }
  return { ops, cwd };
}

type FileCommand =
  | { kind: 'move' | 'copy' | 'link'; sources: string[]; dest: string; folder: 'yes' | 'no' | 'maybe' }
  | { kind: 'remove'; paths: string[] };

/** Short options that take a value, per program (coreutils' getopt strings, `:` marks). */
const VALUED: Record<string, string> = {
  mv: 'tS',
  cp: 'tS',
  install: 'tSmogCcZ',
  ln: 'tS',
  rm: '',
};
const LONG_VALUED = new Set(['--target-directory', '--suffix', '--mode', '--owner', '--group', '--backup']);

/** Parses `mv|cp|install|ln|rm` options and operands; undefined for any other program. */
export function parseFileCommand(program: string, args: readonly string[]): FileCommand | undefined {
  if (!(program in VALUED)) return undefined;
  const valued = VALUED[program];
  const flags = new Set<string>();
  let target: string | undefined;
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const [name, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a];
      if (name === '--target-directory') target = value ?? args[++i];
      else if (name === '--no-target-directory') flags.add('T');
      else if (name === '--symbolic') flags.add('s');
      else if (name === '--directory') flags.add('d');
      else if (name === '--recursive') flags.add('r');
      else if (LONG_VALUED.has(name) && value === undefined && name !== '--backup') i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const letter = a[k];
        if (valued.includes(letter)) {
          const value = k + 1 < a.length ? a.slice(k + 1) : args[++i];
          if (letter === 't') target = value;
          break;
        }
        flags.add(letter);
      }
      continue;
    }
    operands.push(a);
  }
  if (program === 'rm') return operands.length > 0 ? { kind: 'remove', paths: operands } : undefined;
  // `install -d DIR…` makes folders; `cp -s`/`cp -l` make links, which read the same as a copy.
  if (program === 'install' && flags.has('d')) return undefined;
  const kind = program === 'mv' ? 'move' : program === 'ln' && flags.has('s') ? 'link' : 'copy';
  if (target !== undefined) {
    return operands.length > 0 ? { kind, sources: operands, dest: target, folder: 'yes' } : undefined;
  }
  if (program === 'ln' && operands.length === 1) {
    // `ln -s /opt/app/bin/run` makes `run` in the current folder.
    return { kind, sources: operands, dest: posix.basename(operands[0]), folder: 'no' };
  }
  if (operands.length < 2) return undefined;
  const sources = operands.slice(0, -1);
  const dest = operands[operands.length - 1];
  const folder: 'yes' | 'no' | 'maybe' = flags.has('T')
    ? 'no'
    : sources.length > 1 || sources.some(isGlob) || dest.endsWith('/') || dest === '.'
      ? 'yes'
      : // `install -D SRC DEST` names the file; ln -n treats a link to a folder as a file.
        program === 'install' && flags.has('D')
        ? 'no'
        : 'maybe';
  return { kind, sources, dest: dest.replace(/(.)\/+$/, '$1'), folder };
}

/** Commands that write files in ways not modelled: the paths they write, and how. */
function writtenBy(
  program: string,
  args: readonly string[],
): { paths: string[]; why: string; edit?: boolean } | undefined {
  const optionValue = (...names: string[]) => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      for (const n of names) {
        if (a === n) return args[i + 1];
        if (n.startsWith('--') && a.startsWith(`${n}=`)) return a.slice(n.length + 1);
        if (!n.startsWith('--') && a.startsWith(n) && a.length > n.length) return a.slice(n.length);
      }
    }
    return undefined;
  };
  const operands = args.filter((a) => !a.startsWith('-'));
  switch (program) {
    case 'curl': {
      const out = optionValue('-o', '--output');
      return out ? { paths: [out], why: `downloaded by curl` } : undefined;
    }
    case 'wget': {
      const out = optionValue('-O', '--output-document');
      const dir = optionValue('-P', '--directory-prefix');
      return out
        ? { paths: [out], why: 'downloaded by wget' }
        : dir
          ? { paths: [dir], why: 'downloaded by wget' }
          : undefined;
    }
    case 'sed':
    case 'perl':
      return args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'))
        ? {
            paths: operands.slice(
              program === 'sed' && !args.some((a) => a === '-e' || a.startsWith('--expression')) ? 1 : 0,
            ),
            why: `edited by ${program} -i`,
            edit: true,
          }
        : undefined;
    // `tar -x` and `unzip` write what their archive holds, which is not known here: the note for a
    // file not found names the RUN line when it mentions the file (see `SourceContext.whence`).
    case 'git':
      return args[0] === 'clone' && operands.length >= 3
        ? { paths: [operands[operands.length - 1]], why: 'cloned by git' }
        : undefined;
    case 'tee':
      return operands.length > 0 ? { paths: operands, why: 'written by tee' } : undefined;
    default:
      return undefined;
  }
}

export function isGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** `/a/./b/../c/` → `/a/c`; `..` stops at `/`. */
export function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * Whether a file name matches a glob of one path component: `*` any run of characters, `?` one,
 * `[…]` a class (`[!…]`/`[^…]` negated). `hidden: false` is the shell's rule (a leading `.` must be
 * matched explicitly, POSIX 2.13.3); Go's `filepath.Match`, which BuildKit uses for COPY, has no such
 * rule (`hidden: true`).
 */
export function matchName(pattern: string, name: string, hidden: boolean): boolean {
  if (!hidden && name.startsWith('.') && !pattern.startsWith('.')) return false;
  // The classic linear matcher: on a mismatch, retry from the last `*` one character further on.
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    const step = p < pattern.length ? matchOne(pattern, p, name[n]) : undefined;
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (step !== undefined && step > 0) {
      p = step;
      n++;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Matches one character at `pattern[p]` (`?`, a class, an escape, a literal): the next index, or -1. */
function matchOne(pattern: string, p: number, c: string): number {
  const at = pattern[p];
  if (at === '?') return p + 1;
  if (at === '\\' && p + 1 < pattern.length) return pattern[p + 1] === c ? p + 2 : -1;
  if (at === '[') {
    const end = pattern.indexOf(']', p + 2);
    if (end < 0) return c === '[' ? p + 1 : -1;
    let body = pattern.slice(p + 1, end);
    const negated = body.startsWith('!') || body.startsWith('^');
    if (negated) body = body.slice(1);
    let hit = false;
    for (let i = 0; i < body.length; i++) {
      if (body[i + 1] === '-' && i + 2 < body.length) {
        if (c >= body[i] && c <= body[i + 2]) hit = true;
        i += 2;
      } else if (body[i] === c) hit = true;
    }
    return hit !== negated ? end + 1 : -1;
  }
  return at === c ? p + 1 : -1;
}
