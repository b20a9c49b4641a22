/**
 * Procfiles: `NAME: command` lines, each a process type that Heroku, Dokku and Cloud Native
 * Buildpacks run as its own container, and that `honcho start`, `foreman start`, `forego start` and
 * `overmind start` run side by side in one. Pure except for `ctx`; never throws.
 *
 * The line format is Heroku's (heroku/heroku-buildpack-procfile and foreman's `Foreman::Procfile`:
 * `^([A-Za-z0-9_-]+):\s*(.+)$`, blank lines and `#` comments skipped); each command runs through
 * `sh -c` (honcho's `Popen(cmd, shell=True)`, foreman's `Process.spawn` of a shell string), so it is
 * read by the one shell interpreter.
 */

import { type FilePlace, fileAt, fileLine } from '../place';
import { argvCommands } from '../shell';
import type { SimpleCommand, Word } from '../shell/types';
import type { Expansion, SourceContext, SourceExpander } from './types';

export interface ProcfileEntry {
  readonly name: string;
  readonly command: string;
  /** 1-based line. */
  readonly line: number;
}

/** Process types read from one Procfile; more is not a real Procfile. */
export const MAX_PROCESSES = 100;

export function parseProcfile(text: string): ProcfileEntry[] {
  const out: ProcfileEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && out.length < MAX_PROCESSES; i++) {
    const m = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(lines[i]);
    if (m) out.push({ name: m[1], command: m[2].trim(), line: i + 1 });
  }
  return out;
}

/** The commands of one Procfile line, its words pointing at the line. */
export function procfileCommands(entry: ProcfileEntry, file: string, cmd: Pick<SimpleCommand, 'env'>) {
  // The script's words keep this line as their place (its command is a command line, as written).
  const place: FilePlace = { file, line: entry.line, source: 'procfile', key: entry.name };
  const at = fileLine(place);
  const words: Word[] = [
    { text: '/bin/sh', path: at, at: place },
    { text: '-c', path: at, at: place },
    { text: entry.command, path: at, at: place },
  ];
  return argvCommands(words, cmd.env);
}

const RUNNERS = new Set(['honcho', 'foreman', 'forego', 'overmind', 'hivemind']);
const VALUED = new Set(['-e', '--env', '-p', '--port', '-s', '--socket', '-t', '--timeout', '-N', '--title']);

/**
 * `honcho start [-f FILE] [-d DIR] [PROCESS…]` (and foreman, forego, overmind, hivemind): the Procfile's
 * processes, each followed like the container's own command. `-c/--concurrency web=3` runs copies of a
 * process, which oneproc does not count here: a note says so.
 */
export const procfileRunner: SourceExpander = {
  id: 'procfile-runner',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const argv = cmd.argv;
    const program = argv[0]?.text.split('/').pop() ?? '';
    if (!RUNNERS.has(program) || argv[0].unknown) return undefined;
    // hivemind takes the Procfile as its operand; the others a `start` subcommand.
    let i = 1;
    if (program !== 'hivemind') {
      if (argv[1]?.text !== 'start' && !(program === 'overmind' && argv[1]?.text === 's')) return undefined;
      i = 2;
    }
    let file = 'Procfile';
    let dir: string | undefined;
    let concurrency: Word | undefined;
    const only: string[] = [];
    for (; i < argv.length; i++) {
      const t = argv[i].text;
      const [flag, inline] =
        t.startsWith('--') && t.includes('=')
          ? [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]
          : [t];
      const value = () => (inline !== undefined ? inline : argv[++i]?.text);
      if (flag === '-f' || flag === '--procfile') file = value() ?? file;
      else if (flag === '-d' || flag === '--root' || flag === '--app-root') dir = value();
      else if (flag === '-c' || flag === '--concurrency' || flag === '-m' || flag === '--formation') {
        concurrency = argv[i];
        value();
      } else if (flag.startsWith('-')) {
        // The runners' other options that take a value (`-e .env`, `-p 5000`, `-s socket`).
        if (inline === undefined && VALUED.has(flag)) i++;
      } else if (program === 'hivemind') file = t;
      else only.push(...t.split(','));
    }
    const path = dir ? `${dir.replace(/\/+$/, '')}/${file}` : file;
    const procfile = ctx.readFile(path);
    const where = fileAt(argv[0]);
    if (!procfile) {
      ctx.report?.({
        level: 'note',
        message: `${path} (run by \`${program}\`) is not in the image${ctx.whence ? ` (${ctx.whence(path)})` : ''}, so the processes it starts were not checked`,
        ...(where ? { file: where.file, line: where.line } : {}),
      });
      return { commands: [], chain: [] };
    }
    if (concurrency)
      ctx.report?.({
        level: 'note',
        message: `\`${program}\` runs copies of processes by \`${concurrency.text} …\`, which oneproc does not count; each process type below is checked once`,
        ...(where ? { file: where.file, line: where.line } : {}),
      });
    const entries = parseProcfile(procfile.text).filter((e) => only.length === 0 || only.includes(e.name));
    const programs = entries.flatMap((e) =>
      procfileCommands(e, procfile.path, cmd).commands.map((command) => ({
        command,
        ...(dir ? { workdir: dir } : {}),
      })),
    );
    return { commands: [], programs, chain: [procfile.path] };
  },
};

/** `Procfile`, and the variants foreman and honcho are pointed at (`Procfile.dev`, `Procfile.web`). */
export function isProcfileName(file: string): boolean {
  return /^Procfile(\.[A-Za-z0-9_-]+)?$/.test(file.slice(file.lastIndexOf('/') + 1));
}
