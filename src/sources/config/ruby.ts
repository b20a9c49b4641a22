/**
 * The one line of a Ruby server config that sets the worker count: Puma's `workers N` (puma.rb) and
 * Unicorn's `worker_processes N` (unicorn.conf.rb). Both files are Ruby evaluated by the server; there
 * is no kept Ruby parser for Node that earns its place for one line, so this is a narrow reader of that
 * line (the last one wins, `#` comments skipped) that understands exactly the forms real projects
 * write and reports anything else as unknown:
 * - `4`;
 * - `ENV.fetch("WEB_CONCURRENCY") { 2 }`, `ENV.fetch("X", 2)`;
 * - `ENV['X'] || 2`;
 * - each optionally wrapped in `Integer(…)`, parentheses, or followed by `.to_i`.
 * A value converted with `Integer(…)` or `.to_i` is read as Ruby reads it (`RUBY_INTEGER`, `RUBY_TO_I`
 * in src/argv/ints.ts): `Integer(ENV['WEB_CONCURRENCY'] || 2)` with WEB_CONCURRENCY=0x4 is 4, with
 * `4abc` an ArgumentError, and the server does not boot.
 */
import { RUBY_INTEGER, RUBY_TO_I } from '../../argv/ints';
import type { FilePlace } from '../../place';
import type { Env, Word } from '../../shell/types';
import { sourcePath } from '../types';

/** The value of the setting, as a word pointing at its line. */
export interface RubySetting {
  readonly word: Word;
  /** The expression as written, e.g. `Integer(ENV['WEB_CONCURRENCY'] || 2)`. */
  readonly expr: string;
  /**
   * True when Ruby hands the server an Integer: a bare number, or a value converted with
   * `Integer(…)`/`.to_i`. A value read from ENV without a conversion is a String (Unicorn rejects it).
   */
  readonly integer: boolean;
  /** Set when Ruby's conversion refuses the value (`Integer("4abc")`): why. The server does not boot. */
  readonly refused?: string;
}

/**
 * The value of a Ruby integer literal (`4`, `1_0`, `0x4`, `010` is octal 8, `-1`): Ruby's literal syntax
 * for these forms is what `Integer()` accepts without blanks (parse.y `parser_number_literal`), so it is
 * read by RUBY_INTEGER. Undefined for anything else (a name, a call).
 */
function rubyLiteral(text: string): number | undefined {
  if (!/^[+-]?\d[\w]*$/.test(text)) return undefined;
  const read = RUBY_INTEGER.read(text);
  return 'n' in read ? read.n : undefined;
}
const FETCH = /^ENV\.fetch\(\s*(['"])(\w+)\1\s*(?:,\s*(['"]?)(\w+)\3\s*\)|\)\s*\{\s*(['"]?)(\w+)\5\s*\})$/;
const OR = /^ENV\[\s*(['"])(\w+)\1\s*\]\s*\|\|\s*(['"]?)(\w+)\3$/;

/** True when `open`…`close` at both ends of `text` enclose all of it (`(a) || (b)` is not enclosed). */
function enclosed(text: string, open: string): boolean {
  if (!text.startsWith(open) || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = open.length - 1; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth === 0 && i < text.length - 1) return false;
  }
  return depth === 0;
}

type Conversion = 'Integer' | 'to_i';

/** `Integer(…)`, `(…)` and `.to_i` around one value that are read; each round costs a pass over the line. */
export const MAX_RUBY_WRAPPERS = 8;

/**
 * Strips `Integer(…)`, `(…)` and `.to_i`, saying whether one of them converted the value, which one
 * applies to it first (the innermost), and whether more wrappers than MAX_RUBY_WRAPPERS were left on.
 */
function unwrap(expr: string): { expr: string; converted: boolean; via?: Conversion; tooDeep: boolean } {
  let via: Conversion | undefined;
  for (let round = 0; round <= MAX_RUBY_WRAPPERS; round++) {
    const trimmed = expr.trim();
    const integer = enclosed(trimmed, 'Integer(');
    const parens = !integer && enclosed(trimmed, '(');
    const toI = !integer && !parens && trimmed.endsWith('.to_i');
    if (!integer && !parens && !toI)
      return { expr: trimmed, converted: via !== undefined, via, tooDeep: false };
    if (round === MAX_RUBY_WRAPPERS) break;
    if (integer) expr = trimmed.slice(8, -1);
    else if (parens) expr = trimmed.slice(1, -1);
    else expr = trimmed.slice(0, -5);
    if (integer) via = 'Integer';
    else if (toI) via = 'to_i';
  }
  return { expr: expr.trim(), converted: via !== undefined, via, tooDeep: true };
}

/** A known value as the setting receives it: converted as Ruby converts it, or refused. */
function converted(
  text: string,
  path: string,
  expr: string,
  via: Conversion | undefined,
  integer: boolean,
): RubySetting {
  if (via === undefined) return { word: { text, path }, expr, integer };
  const read = (via === 'Integer' ? RUBY_INTEGER : RUBY_TO_I).read(text);
  if ('n' in read) return { word: { text: String(read.n), path }, expr, integer: true };
  const why = 'refused' in read ? read.refused : read.unread;
  return { word: { text, path }, expr, integer: true, refused: why };
}

/** The line's text without a trailing `# comment` (a `#` inside quotes is kept). */
function withoutComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/**
 * The value of the last `setting …` line of a Ruby config text (`setting` is `workers` or
 * `worker_processes`), resolved against the command's environment. `server` names the server in the
 * reasons given for unknown values.
 */
export function rubySetting(
  text: string,
  file: string,
  env: Env,
  setting: string,
  server: string,
): RubySetting | undefined {
  let found: RubySetting | undefined;
  let foundAt: FilePlace | undefined;
  const head = new RegExp(`^\\s*${setting}(?:\\s+|\\s*\\()(.*)$`);
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = head.exec(raw);
    if (!m) return;
    let written = withoutComment(m[1]).trim();
    // `workers(4)` is a call with parentheses; `workers (4)`, with a space, passes the expression `(4)`
    // (Ruby's parse.y reads a `(` after a space as tLPAREN_ARG, the start of an argument).
    if (raw.slice(raw.indexOf(setting) + setting.length).startsWith('(') && written.endsWith(')'))
      written = written.slice(0, -1).trim();
    const path = sourcePath(file, i + 1);
    const { expr, converted: isConverted, via, tooDeep } = unwrap(written);
    const literal = rubyLiteral(expr);
    foundAt = { file, line: i + 1, source: 'config', key: setting };
    // A literal's own characters: what a fix edits (`workers 4 # was 4` edits the first 4 only).
    const start = raw.length - m[1].length + (m[1].length - m[1].trimStart().length) + written.indexOf(expr);
    if (literal !== undefined && expr !== '' && raw.slice(start).startsWith(expr))
      foundAt = { ...foundAt, column: start + 1, length: expr.length };
    if (literal !== undefined) {
      found = { word: { text: String(literal), path }, expr: written, integer: true };
      return;
    }
    const fetch = FETCH.exec(expr);
    const or = fetch ? undefined : OR.exec(expr);
    const name = fetch?.[2] ?? or?.[2];
    const fallback = fetch ? (fetch[4] ?? fetch[6]) : or?.[4];
    const fallbackQuoted = fetch ? (fetch[3] ?? fetch[5]) !== '' : or?.[3] !== '';
    if (name === undefined || fallback === undefined) {
      found = {
        word: {
          text: written,
          unknown: tooDeep
            ? `${server} evaluates the Ruby expression \`${written}\`, wrapped in Integer(…), (…) or .to_i more than ${MAX_RUBY_WRAPPERS} times, past what oneproc reads`
            : `${server} evaluates the Ruby expression \`${written}\``,
          path,
        },
        expr: written,
        integer: isConverted,
      };
      return;
    }
    const entry = env.get(name);
    const fallbackLiteral = fallbackQuoted ? undefined : rubyLiteral(fallback);
    if (!entry && fallbackQuoted) found = converted(fallback, path, written, via, isConverted);
    else if (!entry && fallbackLiteral !== undefined)
      found = { word: { text: String(fallbackLiteral), path }, expr: written, integer: true };
    else if (!entry)
      found = {
        word: { text: written, unknown: `${server} evaluates the Ruby expression \`${fallback}\``, path },
        expr: written,
        integer: isConverted,
      };
    else if (entry.value === undefined || entry.unknown)
      found = {
        word: { text: written, unknown: entry.unknown ?? `${name} is not known here`, path },
        expr: written,
        integer: isConverted,
      };
    else found = converted(entry.value, path, written, via, isConverted);
  });
  return found && foundAt ? { ...found, word: { ...found.word, at: foundAt } } : found;
}
