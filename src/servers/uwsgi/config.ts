/**
 * uWSGI's ini files made explicit: `uwsgi --ini FILE` (also `--ini=FILE`), a trailing `FILE.ini`
 * argument, and the UWSGI_INI variable. uWSGI applies options in the order it meets them
 * (`core/uwsgi.c`: the environment first, then the command line, with an `--ini` option expanded
 * where it stands, then trailing config files last), so the file's `[uwsgi]` options replace the
 * `--ini FILE` words IN PLACE as `--name=value` words, each carrying the file's line: a later
 * `-p 2` on the command line still wins, as it does in uWSGI.
 *
 * The reader is a small line reader rather than an ini library: uWSGI's ini (`core/ini.c`) keeps
 * repeated keys and their order (`env = A=1` twice, `processes` set twice, the last winning), which
 * the common ini packages fold into one value. It reads `key = value` lines of the `[uwsgi]` section
 * (or `FILE:section`), skipping `;` and `#` comments and blank lines, as `core/ini.c` does.
 *
 * Values: `$(VAR)` is left for the uwsgi rule, which resolves it against the command's environment;
 * the magic variable `%k` (the CPU count, `core/utils.c` `uwsgi_get_cpu`) becomes `$(nproc)`, which the
 * rules read as a per-CPU count (the uwsgi rule would otherwise read the text `%k` with atoi, as 0).
 */
import { type FilePlace, fileLine } from '../../place';
import type { SimpleCommand, Word } from '../../shell/types';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from '../../sources/types';
import { sourcePath } from '../../sources/types';
import { runsUwsgi } from './args';

/** One `key = value` line of an ini section, with its 1-based line number and value's column. */
export interface IniOption {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  /** 1-based column of the value's first character (of the line as written, blanks included). */
  readonly column: number;
}

/**
 * The options of one section of a uWSGI ini text, in file order, repeated keys kept. Lines without
 * `=` are ignored (uWSGI ignores them too).
 */
export function readIniSection(text: string, section = 'uwsgi'): IniOption[] {
  const options: IniOption[] = [];
  let current: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      current = header[1].trim();
      return;
    }
    if (current !== section) return;
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const after = line.slice(eq + 1);
    const value = after.trim();
    const column =
      raw.length - raw.trimStart().length + eq + 1 + (after.length - after.trimStart().length) + 1;
    options.push({ key: line.slice(0, eq).trim(), value, line: i + 1, column });
  });
  return options;
}

/** The words uWSGI would apply for the file: `--key=value`, each pointing at its line. */
function optionWords(options: readonly IniOption[], file: SourceFile): Word[] {
  return options.map((o) => {
    // The place is the value's own characters, which a fix edits.
    const at: FilePlace = {
      file: file.path,
      line: o.line,
      column: o.column,
      length: o.value.length,
      source: 'config',
      key: o.key,
    };
    const path = fileLine(at);
    if (o.value.includes('%k')) {
      return {
        text: `--${o.key}=${o.value.replaceAll('%k', '$(nproc)')}`,
        unknown: `uWSGI sets %k to the number of CPUs (${file.path}:${o.line})`,
        path,
        at,
      };
    }
    return { text: `--${o.key}=${o.value}`, path, at };
  });
}

function load(name: string, ctx: SourceContext): { file: SourceFile; options: IniOption[] } | undefined {
  let file = ctx.readFile(name);
  let section = 'uwsgi';
  const colon = /^(.*\.ini):([\w-]+)$/.exec(name);
  if (!file && colon) {
    file = ctx.readFile(colon[1]);
    section = colon[2];
  }
  return file ? { file, options: readIniSection(file.text, section) } : undefined;
}

export const uwsgiConfig: SourceExpander = {
  id: 'uwsgi-config',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const argv = cmd.argv;
    if (!runsUwsgi(cmd)) return undefined;
    const chain: string[] = [];
    const countLine = (file: SourceFile, options: readonly IniOption[]) => {
      const count = options.filter((o) => o.key === 'processes' || o.key === 'workers').pop();
      chain.push(count ? sourcePath(file.path, count.line) : file.path);
    };
    let env = cmd.env;
    const head: Word[] = [];
    const envIni = cmd.env.get('UWSGI_INI');
    if (envIni?.value !== undefined && !envIni.unknown) {
      const loaded = load(envIni.value, ctx);
      if (loaded) {
        head.push(...optionWords(loaded.options, loaded.file));
        countLine(loaded.file, loaded.options);
        const rest = new Map(cmd.env);
        rest.delete('UWSGI_INI');
        env = rest;
      }
    }
    const middle: Word[] = [];
    const tail: Word[] = [];
    let expanded = false;
    for (let i = 1; i < argv.length; i++) {
      const word = argv[i];
      let name: Word | undefined;
      let consumed = 0;
      if (word.text === '--ini' && i + 1 < argv.length) {
        name = argv[i + 1];
        consumed = 1;
      } else if (word.text.startsWith('--ini=')) {
        name = { ...word, text: word.text.slice(6) };
      }
      const positional =
        !name &&
        /\.ini$/.test(word.text) &&
        !word.text.startsWith('-') &&
        (i === 1 || !argv[i - 1].text.startsWith('-') || /^(-M|--master)$/.test(argv[i - 1].text));
      const target = name ?? (positional ? word : undefined);
      const loaded = target && !target.unknown ? load(target.text, ctx) : undefined;
      if (!loaded) {
        middle.push(word);
        continue;
      }
      expanded = true;
      countLine(loaded.file, loaded.options);
      (positional ? tail : middle).push(...optionWords(loaded.options, loaded.file));
      i += consumed;
    }
    if (!expanded && head.length === 0) return undefined;
    return { commands: [{ ...cmd, env, argv: [argv[0], ...head, ...middle, ...tail] }], chain };
  },
};
