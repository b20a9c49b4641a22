/**
 * supervisord's config made explicit: `supervisord -c FILE` (also `--configuration FILE`, `-cFILE`,
 * `--configuration=FILE` and getopt's unambiguous prefix `--config`; `-n` and the other flags change
 * nothing here), or the first file of supervisord's own search path when `-c` is not given
 * (`supervisor/options.py Options.__init__`: `<argv0>/../etc/supervisord.conf`,
 * `<argv0>/../supervisord.conf`, `supervisord.conf`, `etc/supervisord.conf`, `/etc/supervisord.conf`,
 * `/etc/supervisor/supervisord.conf`). Read from Debian's supervisor 4.2.5:
 * - `[include] files = …` (`ServerOptions.read_config`): whitespace-separated glob patterns relative
 *   to the including file's folder, each match read in sorted order into the same parser.
 * - `[program:x]` and `[fcgi-program:x]` (`_processes_from_section`): `command=` split by
 *   `shlex.split` (no shell: a `$VAR` stays as written unless the command runs `sh -c`), `numprocs`
 *   copies (from `numprocs_start`), `autostart=false` programs are not started, `directory=` is the
 *   working directory, and `environment=KEY="val",…` is added to supervisord's own environment (with
 *   `[supervisord] environment=` under it). `[eventlistener:x]` pools are not read: they run
 *   supervisor's event handlers, not the application.
 * - Values are expanded with Python's `%` formatting (`supervisor/options.py expand`): `%(ENV_X)s`
 *   from supervisord's environment (a name it lacks stops supervisord), `%(here)s`,
 *   `%(program_name)s`, `%(process_num)d`, `%(numprocs)d`, `%(group_name)s`, `%%`.
 * When Debian's packaged `/etc/supervisor/supervisord.conf` is the config and the image does not
 * carry its own, the packaged one is assumed: it only includes `/etc/supervisor/conf.d/*.conf`.
 *
 * Every started program is returned to be followed like a container's command (into scripts, config
 * files, Python entry points), each word pointing at its `command=` line; `numprocs = N` above 1 is a
 * decision of the `supervisord` rule, since no command line can say "N copies" (each copy has its own
 * memory, like a server's workers). Programs oneproc never judges (nginx, php-fpm, …) are not counted.
 */
import * as path from 'node:path';
import { PYTHON_INT } from '../../argv/ints';
import { programName, stripLaunchers } from '../../argv/program';
import { type FilePlace, fileLine } from '../../place';
import type { Decision } from '../../rules/types';
import { argvCommands } from '../../shell';
import type { Env, EnvEntry, SimpleCommand, Word } from '../../shell/types';
import { type IniSections, type IniValue, iniGet, readIni } from '../../sources/config/configparser';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from '../../sources/types';
import { sourcePath } from '../../sources/types';
import { outOfScopeProgram } from '../out-of-scope/rule';
import { supervisordArgs } from './args';
import { spec } from './spec';

const DEBIAN_CONFIG = '/etc/supervisor/supervisord.conf';
const DEBIAN_INCLUDE = '/etc/supervisor/conf.d/*.conf';
const FALSY = ['no', 'false', 'off', '0'];
/** Stands for an expansion whose value is not known, until the command is split into words. */
const MARK = /\uE010(\d+)\uE011/g;

/** A value after `%` expansion: its text, or why it cannot be known. */
interface Expanded {
  readonly text: string;
  readonly unknown?: string;
}

/** Names `%(name)s` can refer to, besides `ENV_…`. */
type Names = Record<string, string | number | undefined>;

/**
 * Python's `%` formatting of a supervisord value. `marks`, when given, collects the expansions whose
 * value is unknown and leaves a marker in their place (so the caller can tell which word holds them).
 */
function expand(text: string, env: Env, names: Names, marks?: { text: string; why: string }[]): Expanded {
  let unknown: string | undefined;
  const out = text.replace(
    /%(%|\((\w+)\)([#0 +-]*)(\d*)(?:\.\d+)?([diouxXeEfFgGcrsa])|.?)/gs,
    (all, _a, name: string, flags: string, width: string) => {
      if (all === '%%') return '%';
      if (name === undefined) {
        unknown ??= `\`${text}\` is badly formatted for supervisord (a lone %), which stops it`;
        return all;
      }
      let value: string | undefined;
      let why: string | undefined;
      if (name.startsWith('ENV_')) {
        const entry = env.get(name.slice(4));
        if (!entry)
          why = `${name.slice(4)} is not set in the container's env, and supervisord stops on %(${name})s without it`;
        else if (entry.value === undefined || entry.unknown)
          why = entry.unknown ?? `${entry.name} is not known here`;
        else value = entry.value;
      } else if (names[name] !== undefined) {
        value = String(names[name]);
        if (/^\d+$/.test(value) && flags.includes('0') && width) value = value.padStart(Number(width), '0');
      } else if (name === 'host_node_name') why = "the node's host name is not known here";
      else why = `supervisord has no %(${name})s to expand here, which stops it`;
      if (value !== undefined) return value;
      unknown ??= why;
      if (!marks) return all;
      marks.push({ text: all, why: why ?? '' });
      return `\uE010${marks.length - 1}\uE011`;
    },
  );
  return unknown === undefined || marks ? { text: out } : { text: out, unknown };
}

/**
 * Python's `shlex.split` (POSIX mode, no comments), which supervisord applies to `command=`: quotes
 * and backslashes are removed, nothing is expanded. Undefined when a quote is not closed (supervisord
 * then fails to spawn the program).
 */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = '';
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = '';
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\') {
        if (i + 1 >= text.length) return undefined;
        word += text[++i];
      } else word += c;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}

/** supervisord's `environment=KEY="val",KEY2=val2` (`datatypes.dict_of_key_value_pairs`). */
function keyValuePairs(text: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  // Greedy `[^,]*` (trimmed after): a lazy one before `\s*` is quadratic on long blank runs.
  const re = /\s*([\w./+\-():]+)\s*=\s*("(?:[^"\\]|\\.)*"\s*|'[^']*'\s*|[^,]*)(?:,|$)/gy;
  let m: RegExpExecArray | null = re.exec(text);
  let end = 0;
  while (m && m[0] !== '') {
    pairs.push([m[1], m[2].trim().replace(/^(['"])(.*)\1$/s, '$2')]);
    end = re.lastIndex;
    m = re.exec(text);
  }
  return text.slice(end).trim() === '' ? pairs : undefined;
}

/**
 * Python's `fnmatch` of one file name (glob's `*` does not match a leading dot). Matched with one
 * backtracking point (the last `*`), not a regular expression: `*a*a*a…b` against a long name would
 * make a regular expression backtrack for minutes.
 */
function fnmatch(name: string, pattern: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  // The pattern as `*`, or a test of one character (`?`, `[…]`, a literal).
  const tokens: ('*' | ((c: string) => boolean))[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (tokens[tokens.length - 1] !== '*') tokens.push('*');
    } else if (c === '?') tokens.push(() => true);
    else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      let set: RegExp;
      try {
        set = new RegExp(body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`, 's');
      } catch {
        return false;
      }
      tokens.push((ch) => set.test(ch));
      i = end;
    } else tokens.push((ch) => ch === c);
  }
  let t = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token === '*') {
      star = t++;
      resume = n;
    } else if (token?.(name[n])) {
      t++;
      n++;
    } else if (star >= 0) {
      t = star + 1;
      n = ++resume;
    } else return false;
  }
  while (tokens[t] === '*') t++;
  return t === tokens.length;
}

/**
 * The image paths a supervisord include pattern matches, sorted, as `glob.glob` finds them, or why
 * they cannot be known here. `listings` keeps each folder's listing for the other patterns.
 */
function globFiles(
  pattern: string,
  ctx: SourceContext,
  listings = new Map<string, readonly string[] | undefined>(),
): { matches: string[] } | { why: string } {
  const missing = (what: string) =>
    ctx.source === 'repository'
      ? `${what} is not copied into the image by the Dockerfile's COPY or ADD`
      : `${what} is not in the image`;
  if (!/[*?[]/.test(pattern))
    return ctx.readFile(pattern) ? { matches: [pattern] } : { why: missing(pattern) };
  const dir = path.posix.dirname(pattern);
  if (/[*?[]/.test(dir)) return { why: `oneproc does not match patterns in folder names (${dir})` };
  const base = path.posix.basename(pattern);
  if (!listings.has(dir)) listings.set(dir, ctx.listFiles?.(dir));
  const names = listings.get(dir);
  if (!names) return { why: missing(`the folder ${dir}`) };
  return {
    matches: names
      .filter((name) => fnmatch(name, base))
      .sort()
      .map((name) => path.posix.join(dir, name)),
  };
}

function matchesOf(found: { matches: string[] } | { why: string }): string[] | undefined {
  return 'matches' in found ? found.matches : undefined;
}

/** Patterns of one `[include] files =` read; real configs list one or two. */
export const MAX_INCLUDE_PATTERNS = 100;
/** Files read through `[include]`. */
export const MAX_INCLUDED_FILES = 1000;

/**
 * The files an `[include] files =` value makes supervisord read, in its order, each once. supervisord
 * (`ServerOptions.read_config`) reads every match of every pattern, a file matched twice twice; a
 * second read only sets that file's values again, so reading each file once, at its last place, gives
 * the same values (checked with supervisor 4.2.5: `a.conf b.conf a.conf` ends with a.conf's values), and
 * a repeated pattern or `*.conf web.conf` costs nothing more. Past the bounds a warning names the line
 * and the limit.
 */
function includedFiles(files: IniValue, text: string, here: string, ctx: SourceContext): string[] {
  const where = { file: files.file, line: files.line };
  // A pattern given again matches the same files again: only its last place counts (see above).
  const all = text.split(/\s+/).filter(Boolean);
  const lastPattern = new Map(all.map((p, i) => [p, i]));
  const patterns = all.filter((p, i) => lastPattern.get(p) === i);
  if (patterns.length > MAX_INCLUDE_PATTERNS) {
    ctx.report?.({
      level: 'warning',
      message: `[include] files in ${files.file} lists more than ${MAX_INCLUDE_PATTERNS} different patterns; oneproc read the first ${MAX_INCLUDE_PATTERNS}, so the files the others match were not read`,
      ...where,
    });
    patterns.length = MAX_INCLUDE_PATTERNS;
  }
  const listings = new Map<string, readonly string[] | undefined>();
  const matches: string[] = [];
  /** Set when a pattern's note already says why it found nothing. */
  let unmatched = false;
  const last = new Map<string, number>();
  for (const pattern of patterns) {
    const found = globFiles(path.posix.resolve(here, pattern), ctx, listings);
    if ('why' in found) {
      unmatched = true;
      ctx.report?.({
        level: 'note',
        message: `[include] ${pattern}: ${found.why}, so the programs it would add were not followed`,
        ...where,
      });
      continue;
    }
    for (const match of found.matches) {
      if (!last.has(match) && last.size === MAX_INCLUDED_FILES) {
        ctx.report?.({
          level: 'warning',
          message: `[include] files in ${files.file} matches more than ${MAX_INCLUDED_FILES} files; oneproc read ${MAX_INCLUDED_FILES} of them, so programs in ${match} and the files after it were not read`,
          ...where,
        });
        return matches.filter((m, i) => last.get(m) === i);
      }
      last.set(match, matches.length);
      matches.push(match);
    }
  }
  // Folders the image holds but no file of which matches: filled at run time (an entrypoint that
  // writes conf.d/app.conf), or by nothing — either way no program of them was seen.
  if (matches.length === 0 && !unmatched)
    ctx.report?.({
      level: 'note',
      message: `[include] files = ${files.value.slice(0, 120)} matches no file in the image${ctx.source === 'repository' ? ' as its Dockerfile builds it' : ''} (it may be filled at run time), so no program of it was followed`,
      ...where,
    });
  return matches.filter((m, i) => last.get(m) === i);
}

interface Config {
  readonly sections: IniSections;
  /** Each read file's display path → its folder in the image (for `%(here)s`). */
  readonly folders: Map<string, string>;
  /** The chain entry of the main file. */
  readonly main: string;
}

/** Reads the main file and its includes. */
function load(name: string, ctx: SourceContext, env: Env): Config | undefined {
  const image = path.posix.resolve(ctx.workdir, name);
  const file = ctx.readFile(name);
  let sections: IniSections;
  const folders = new Map<string, string>();
  let main: string;
  if (file) {
    sections = readIni(file.text, file.path);
    folders.set(file.path, path.posix.dirname(image));
    main = file.path;
  } else if (image === DEBIAN_CONFIG && (matchesOf(globFiles(DEBIAN_INCLUDE, ctx)) ?? []).length > 0) {
    // Debian's packaged file, which only includes conf.d/*.conf.
    sections = new Map([
      ['include', new Map([['files', { value: DEBIAN_INCLUDE, file: DEBIAN_CONFIG, line: 1 }]])],
    ]);
    folders.set(DEBIAN_CONFIG, path.posix.dirname(DEBIAN_CONFIG));
    main = `${DEBIAN_CONFIG} (Debian's packaged file)`;
  } else return undefined;
  const files = sections.get('include')?.get('files');
  if (files) {
    const here = folders.get(files.file) ?? '/';
    const expanded = expand(files.value, env, { here });
    if (expanded.unknown)
      ctx.report?.({
        level: 'note',
        message: `[include] files = ${files.value} cannot be known here (${expanded.unknown}), so the programs of the files it includes were not followed`,
        file: files.file,
        line: files.line,
      });
    for (const match of expanded.unknown ? [] : includedFiles(files, expanded.text, here, ctx)) {
      const included: SourceFile | undefined = ctx.readFile(match);
      if (!included) continue;
      readIni(included.text, included.path, sections);
      folders.set(included.path, path.posix.dirname(match));
    }
  }
  return { sections, folders, main };
}

/** The env entries a `environment=` value adds, each pointing at its line. */
function environmentEntries(value: IniValue | undefined, env: Env, names: Names): EnvEntry[] {
  if (!value) return [];
  const at: FilePlace = { file: value.file, line: value.line, source: 'config', key: 'environment' };
  const path = fileLine(at);
  const expanded = expand(value.value, env, names);
  const pairs = keyValuePairs(expanded.text);
  if (!pairs) return [];
  return pairs.map(([name, v]) =>
    expanded.unknown && v.includes('%(')
      ? { name, unknown: expanded.unknown, path, at }
      : { name, value: v, path, at },
  );
}

function withEntries(env: Env, entries: readonly EnvEntry[]): Env {
  if (entries.length === 0) return env;
  const next = new Map(env);
  for (const e of entries) next.set(e.name, e);
  return next;
}

/**
 * The supervisord reader. `mentions` are the words that make a `command=` the shell reader cannot read
 * worth a warning (the registry's `SERVER_MENTION`: the shell knows no server by itself).
 */
export function supervisordReader(mentions?: RegExp): SourceExpander {
  return {
    id: 'supervisord-config',
    expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
      const args = supervisordArgs(cmd);
      if (!args) return undefined;
      const hit = args.config;
      if (hit && (!hit.value || hit.value.unknown)) return undefined;
      let config: Config | undefined;
      if (hit?.value) config = load(hit.value.text, ctx, cmd.env);
      else {
        // `here` is the folder above the script's own (`sys.argv[0]`, the full path even when the shell
        // found it on PATH): a bare name is pip's /usr/local/bin/supervisord or Debian's /usr/bin one.
        const argv0 = args.argv[0].text;
        const heres = argv0.includes('/')
          ? [path.posix.dirname(path.posix.dirname(argv0))]
          : ['/usr/local', '/usr'];
        const search = [
          ...heres.flatMap((here) => [
            path.posix.join(here, 'etc', 'supervisord.conf'),
            path.posix.join(here, 'supervisord.conf'),
          ]),
          'supervisord.conf',
          'etc/supervisord.conf',
          '/etc/supervisord.conf',
          DEBIAN_CONFIG,
        ];
        for (const name of search) {
          config = load(name, ctx, cmd.env);
          if (config) break;
        }
      }
      if (!config) return undefined;
      const { sections, folders } = config;
      const daemonEnv = withEntries(
        cmd.env,
        environmentEntries(iniGet(sections, 'supervisord', 'environment'), cmd.env, {}),
      );
      const programs: { command: SimpleCommand; workdir?: string }[] = [];
      const decisions: { rule: string; command: SimpleCommand; decision: Decision }[] = [];
      for (const section of sections.keys()) {
        // `[fcgi-program:x]` starts its copies the same way, around a shared socket.
        const kind = /^(?:fcgi-)?program:/.exec(section);
        if (!kind) continue;
        const programName_ = section.slice(kind[0].length);
        const get = (key: string) => iniGet(sections, section, key);
        const hereOf = (v: IniValue) => folders.get(v.file) ?? '/';
        const command = get('command');
        if (!command) continue;
        const base: Names = { program_name: programName_, group_name: programName_, here: hereOf(command) };
        const autostart = get('autostart');
        if (autostart && FALSY.includes(expand(autostart.value, daemonEnv, base).text.toLowerCase()))
          continue;
        const numprocsValue = get('numprocs');
        const numprocsText = numprocsValue ? expand(numprocsValue.value, daemonEnv, base) : { text: '1' };
        // `integer(get(section, 'numprocs', 1))` (supervisor/datatypes.py `integer`: Python's int(); its
        // fallback `long(value)` is int() again on Python 3). A value int() refuses stops supervisord
        // with a usage error: nothing starts.
        const numprocsRead = numprocsText.unknown ? undefined : PYTHON_INT.read(numprocsText.text);
        const numprocs = numprocsRead && 'n' in numprocsRead ? numprocsRead.n : undefined;
        const startValue = get('numprocs_start');
        const startText = startValue ? expand(startValue.value, daemonEnv, base) : { text: '0' };
        const startRead = startText.unknown ? undefined : PYTHON_INT.read(startText.text);
        const start = startRead && 'n' in startRead ? startRead.n : 0;
        const refusal = [
          { value: numprocsValue, read: numprocsRead },
          { value: startValue, read: startRead },
        ].find((r) => r.value && r.read && !('n' in r.read));
        if (refusal?.value && refusal.read && !('n' in refusal.read)) {
          decisions.push({
            rule: spec.id,
            command: { argv: [], env: daemonEnv, wrappers: [] },
            decision: {
              outcome: 'refused',
              evidence: `${refusal.value === numprocsValue ? 'numprocs' : 'numprocs_start'} = ${refusal.value.value}`,
              path: sourcePath(refusal.value.file, refusal.value.line),
              at: { file: refusal.value.file, line: refusal.value.line, source: 'config' },
              why: `${'refused' in refusal.read ? refusal.read.refused : refusal.read.unread} in [${section}]`,
            },
          });
          continue;
        }
        // `range(numprocs_start, numprocs + numprocs_start)`: numprocs ≤ 0 starts nothing.
        if (numprocs !== undefined && numprocs <= 0) continue;
        const names: Names = { ...base, process_num: start, numprocs: numprocs ?? 1 };
        const env = withEntries(daemonEnv, environmentEntries(get('environment'), daemonEnv, names));
        const place: FilePlace = { file: command.file, line: command.line, source: 'config', key: 'command' };
        const at = fileLine(place);
        const marks: { text: string; why: string }[] = [];
        const expanded = expand(command.value, env, { ...names, here: hereOf(command) }, marks);
        const split = shlexSplit(expanded.text);
        if (!split || split.length === 0) continue;
        const argv: Word[] = split.map((text) => {
          const why: string[] = [];
          const shown = text.replace(MARK, (_m, i: string) => {
            why.push(marks[Number(i)].why);
            return marks[Number(i)].text;
          });
          return why.length > 0
            ? { text: shown, unknown: why[0], path: at, at: place }
            : { text: shown, path: at, at: place };
        });
        const directory = get('directory');
        const workdir = directory ? expand(directory.value, env, names) : undefined;
        const result = argvCommands(argv, env, cmd.envFrom, undefined, mentions ? { mentions } : {});
        for (const c of result.commands)
          programs.push({ command: c, ...(workdir && !workdir.unknown ? { workdir: workdir.text } : {}) });
        const shown = result.commands[0] ?? { argv, env, wrappers: [] };
        for (const p of result.problems)
          decisions.push({
            rule: spec.id,
            command: shown,
            decision: { outcome: 'unknown', evidence: command.value, path: at, at: place, why: p.message },
          });
        if (numprocs === 1 || !numprocsValue) continue;
        if (
          result.commands.length > 0 &&
          result.commands.every((c) => outOfScopeProgram(programName(stripLaunchers(c))))
        )
          continue;
        const where = sourcePath(numprocsValue.file, numprocsValue.line);
        const whereAt: FilePlace = {
          file: numprocsValue.file,
          line: numprocsValue.line,
          source: 'config',
          key: 'numprocs',
        };
        const evidence = `numprocs = ${numprocsValue.value}`;
        const program = argv.map((w) => w.text).join(' ');
        decisions.push({
          rule: spec.id,
          command: shown,
          decision:
            numprocs === undefined
              ? {
                  outcome: 'unknown',
                  evidence,
                  path: where,
                  at: whereAt,
                  why: numprocsText.unknown ?? `supervisord needs an integer for numprocs in [${section}]`,
                }
              : numprocs > 1
                ? {
                    outcome: 'multiple',
                    workers: numprocs,
                    evidence,
                    path: where,
                    at: whereAt,
                    why: `[${section}] runs ${numprocs} copies of \`${program}\``,
                  }
                : { outcome: 'single', evidence, path: where },
        });
      }
      return {
        commands: [],
        programs,
        decisions: decisions.filter((d) => d.decision.outcome !== 'single'),
        chain: [config.main],
      };
    },
  };
}
