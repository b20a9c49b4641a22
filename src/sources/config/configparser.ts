/**
 * supervisord's config dialect: Python's `configparser.RawConfigParser` as supervisor 4.2.5 sets it up
 * (`supervisor/options.py UnhosedConfigParser`: `inline_comment_prefixes=(';', '#')`, `strict=False`),
 * read line by line so every value keeps the file and line it came from.
 *
 * Why not an ini package: findings must name the decisive line, and the ini packages on npm return
 * values only; they also differ from configparser where it matters here — `key: value` lines,
 * indented continuation lines, `;`/`#` starting an inline comment only after whitespace (so
 * `command=sh -c "a;b"` keeps its `;`), keys folded to lower case, `[DEFAULT]` values inherited by
 * every section, and a section repeated (or repeated in an included file) merged into the first.
 */

/** One `key = value` of a section, with where it was written. */
export interface IniValue {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

/** Sections in the order they first appear; keys lower-cased, the last value winning. */
export type IniSections = Map<string, Map<string, IniValue>>;

const COMMENT_PREFIXES = [';', '#'];

/** Removes an inline comment: `;` or `#` preceded by whitespace, as configparser does. */
function stripInlineComment(text: string): string {
  for (let i = 1; i < text.length; i++) {
    if (COMMENT_PREFIXES.includes(text[i]) && /\s/.test(text[i - 1])) return text.slice(0, i);
  }
  return text;
}

/**
 * Reads one file into `sections` (merging, like `RawConfigParser.read` called once per file). Lines
 * configparser rejects (no section header yet, no delimiter) are skipped: supervisord would refuse the
 * whole file, which is reported by whoever runs it, not guessed at here.
 */
export function readIni(text: string, file: string, sections: IniSections = new Map()): IniSections {
  let current: Map<string, IniValue> | undefined;
  let last: { key: string; indent: number; value: string; line: number } | undefined;
  const flush = () => {
    if (current && last) current.set(last.key, { value: last.value.trim(), file, line: last.line });
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (COMMENT_PREFIXES.some((p) => trimmed.startsWith(p))) continue;
    const value = stripInlineComment(raw).trim();
    const indent = raw.length - raw.trimStart().length;
    if (value === '') continue;
    if (last && indent > last.indent) {
      last.value += `\n${value}`;
      continue;
    }
    flush();
    last = undefined;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const name = header[1];
      current = sections.get(name) ?? new Map<string, IniValue>();
      sections.set(name, current);
      continue;
    }
    if (!current) continue;
    // configparser's `(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$`: the first `=` or `:` (found
    // with indexOf-like search, not that regular expression, which is quadratic on long blank runs).
    const delimiter = value.search(/[=:]/);
    const key = delimiter < 0 ? '' : value.slice(0, delimiter).trim();
    if (key === '') continue;
    last = { key: key.toLowerCase(), indent, value: value.slice(delimiter + 1).trimStart(), line: i + 1 };
  }
  flush();
  return sections;
}

/** A section's value, falling back to `[DEFAULT]` as configparser does. */
export function iniGet(sections: IniSections, section: string, key: string): IniValue | undefined {
  return sections.get(section)?.get(key) ?? sections.get('DEFAULT')?.get(key);
}
