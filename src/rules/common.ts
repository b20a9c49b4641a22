/**
 * Helpers shared by the server rules: finding options in an argv the way each server's own parser
 * does, reading a worker count from a word or an env entry, and bounding `$(nproc)` formulas.
 * Pure functions: no IO, never throw.
 */
import { cpuFormulaBounds } from '../shell/arith';
import type { EnvEntry, SimpleCommand, Word } from '../shell/types';

export { cpuFormulaBounds };

import type { Decision, ServerRule } from './types';

/** The basename of argv[0] (`/app/.venv/bin/uvicorn` → `uvicorn`), or '' when there is none. */
export function programName(cmd: SimpleCommand): string {
  const first = cmd.argv[0];
  if (!first) return '';
  const text = first.text;
  const slash = text.lastIndexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : text;
}

/** One occurrence of an option in argv. */
export interface OptionHit {
  /** The option as written, e.g. `-w`, `--workers`. */
  readonly name: string;
  /** Its value as a word (glued values get a word of their own), or null when the value is missing. */
  readonly value: Word | null;
  /** The option and its value as the user wrote them, e.g. `--workers 4`, `-w4`. */
  readonly written: string;
  /** The field of the value (or of the option, when the value is missing). */
  readonly path: string;
  /** Index of the option's word in argv. */
  readonly index: number;
}

export interface ScanOptions {
  /**
   * How a short option's value may be glued to it: `-w4` (argparse, click, getopt) and, for argparse,
   * also `-w=4`. `none`: only `-w 4`. Default: `glued`.
   */
  readonly shortGlue?: 'glued' | 'glued-or-equals' | 'none';
  /** Index in argv where options start (after a subcommand, say). Default 1. */
  readonly from?: number;
  /** Options of this program that take a value, so that their values are skipped. */
  readonly takesValue?: readonly string[];
}

/**
 * All occurrences of a value-taking option (`names` such as `['-w', '--workers']`), in order, so a
 * rule can apply its server's precedence (usually: the last one wins). Scanning stops at `--`.
 * Long options accept `--name value` and `--name=value`.
 */
export function findOption(
  argv: readonly Word[],
  names: readonly string[],
  opts: ScanOptions = {},
): OptionHit[] {
  const hits: OptionHit[] = [];
  const glue = opts.shortGlue ?? 'glued';
  const skip = opts.takesValue ? setOf(opts.takesValue) : undefined;
  const dashed = names.every((name) => name.charCodeAt(0) === 45);
  for (let i = opts.from ?? 1; i < argv.length; i++) {
    const word = argv[i];
    const text = word.text;
    // Options start with `-` (here and in takesValue): other words (values, module names) are passed
    // over at once.
    if (dashed && text.charCodeAt(0) !== 45 /* - */ && !skip?.has(text)) continue;
    if (text === '--') break;
    let matched = false;
    for (const name of names) {
      if (text === name) {
        const value = argv[i + 1] ?? null;
        hits.push({
          name,
          value,
          written: value ? `${name} ${value.text}` : name,
          path: value ? value.path : word.path,
          index: i,
        });
        i++;
        matched = true;
        break;
      }
      if (!text.startsWith(name)) continue;
      const isLong = name.charCodeAt(1) === 45;
      if (isLong && text.charCodeAt(name.length) === 61 /* = */) {
        hits.push({
          name,
          value: sliceWord(word, name.length + 1),
          written: text,
          path: word.path,
          index: i,
        });
        matched = true;
        break;
      }
      if (!isLong && name.length === 2 && glue !== 'none' && text.length > 2) {
        const rest = glue === 'glued-or-equals' && text[2] === '=' ? 3 : 2;
        hits.push({ name, value: sliceWord(word, rest), written: text, path: word.path, index: i });
        matched = true;
        break;
      }
    }
    if (!matched && skip?.has(text)) i++;
  }
  return hits;
}

/** The rules' option lists are constants: their sets are built once, not per command. */
const SETS = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(list: readonly string[]): ReadonlySet<string> {
  let set = SETS.get(list);
  if (!set) {
    set = new Set(list);
    SETS.set(list, set);
  }
  return set;
}

/** True when any of `names` appears as a flag (no value) before `--`. */
export function hasFlag(argv: readonly Word[], names: readonly string[], from = 1): Word | undefined {
  for (let i = from; i < argv.length; i++) {
    if (argv[i].text === '--') return undefined;
    if (names.includes(argv[i].text)) return argv[i];
  }
  return undefined;
}

function sliceWord(word: Word, start: number): Word {
  return { text: word.text.slice(start), unknown: word.unknown, path: word.path };
}

// ---------------------------------------------------------------------------------------------------
// Integers as each server reads them. One reader per semantics, used by every rule and config reader.

/**
 * What a server makes of the text of a count: the number, or why it refuses the text. A refused count
 * means the server exits with an error: the container does not start. `caveat` explains a number that
 * only some versions accept.
 */
export type IntRead =
  | { readonly n: number; readonly caveat?: string }
  | { readonly refused: string }
  /** The server's own reading is not known here (its source is not public): not guessed. */
  | { readonly unread: string };

/** One way of turning text into an integer, as a server's own code does it. */
export interface IntReader {
  /** How the server reads it, for messages: `Python's int()`, `Ruby's Integer()`, … */
  readonly name: string;
  read(text: string): IntRead;
}

/** The characters above ASCII that Python's str.isspace() accepts (Py_UNICODE_ISSPACE). */
const PY_SPACE = new Set([
  0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);
const UNICODE_DIGIT = /^\p{Nd}$/u;

/** Digit values already worked out, by code point (at most the few hundred Nd characters). */
const DIGIT_VALUES = new Map<number, number>();

/**
 * The value of a Unicode decimal digit (general category Nd), or -1. Unicode keeps every decimal digit
 * in runs of ten, 0 to 9, that start at the beginning of a block of consecutive Nd characters, so the
 * value is the distance to that start, modulo 10. (The interpreter's Unicode version decides the
 * newest digits; this uses Node's. Checked against Python 3.11's unicodedata.decimal for every
 * code point: they agree on all digits of Unicode 14.)
 */
function unicodeDigit(ch: string): number {
  const start = ch.codePointAt(0) ?? 0;
  const known = DIGIT_VALUES.get(start);
  if (known !== undefined) return known;
  if (!UNICODE_DIGIT.test(ch)) return -1;
  let cp = start;
  let run = 0;
  while (run < 100 && UNICODE_DIGIT.test(String.fromCodePoint(cp - 1))) {
    cp--;
    run++;
  }
  DIGIT_VALUES.set(start, run % 10);
  return run % 10;
}

/** The digit value of an ASCII character in bases up to 36, or 99. */
function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

/** Python refuses integers of more digits than this (sys.int_info.default_max_str_digits). */
const PYTHON_MAX_STR_DIGITS = 4300;

/**
 * Python's `int(text, base)` for a `str` (CPython 3.11 Objects/longobject.c `PyLong_FromUnicodeObject`,
 * `PyLong_FromString`; Objects/unicodeobject.c `_PyUnicode_TransformDecimalAndSpaceToASCII`):
 * - Unicode whitespace becomes a blank and Unicode decimal digits (`４`, `٤`) become ASCII digits;
 *   any other non-ASCII character makes the text invalid;
 * - blanks around the number, one sign, then (base 0, or a base whose prefix it is) a `0x`/`0o`/`0b`
 *   prefix followed by at most one `_`; digits with single underscores between them (PEP 515);
 * - base 0 takes its base from the prefix and refuses other leading zeros (`04`) unless the value is 0;
 * - since 3.11 (and the security releases 3.10.7, 3.9.14, 3.8.14, 3.7.14) an integer in a base that is not a power of two (10, …) of more than
 *   4,300 digits, leading zeros and all, is refused (`sys.set_int_max_str_digits`,
 *   PYTHONINTMAXSTRDIGITS), earlier versions read it.
 */
export function pythonInt(text: string, base: number): IntRead {
  const refused = (why: string): IntRead => ({
    refused: `${why}, so Python's int() refuses ${quoteValue(text)}`,
  });
  if (base !== 0 && !(Number.isInteger(base) && base >= 2 && base <= 36))
    return { refused: 'int() base must be >= 2 and <= 36, or 0' };
  let s = '';
  for (const ch of text) {
    if (ch.charCodeAt(0) < 127) s += ch;
    else if (PY_SPACE.has(ch.codePointAt(0) ?? 0)) s += ' ';
    else {
      const d = unicodeDigit(ch);
      if (d < 0) return refused('it holds a character that is neither a digit nor a blank');
      s += String(d);
    }
  }
  const space = (c: string | undefined) =>
    c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
  let i = 0;
  while (space(s[i])) i++;
  let sign = 1;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    sign = -1;
    i++;
  }
  const marker = (s[i + 1] ?? '').toLowerCase();
  let radix: number = base;
  let oldOctal = false;
  if (radix === 0) {
    if (s[i] !== '0') radix = 10;
    else if (marker === 'x') radix = 16;
    else if (marker === 'o') radix = 8;
    else if (marker === 'b') radix = 2;
    else {
      oldOctal = true;
      radix = 10;
    }
  }
  if (
    s[i] === '0' &&
    ((radix === 16 && marker === 'x') || (radix === 8 && marker === 'o') || (radix === 2 && marker === 'b'))
  ) {
    i += 2;
    if (s[i] === '_') i++;
  }
  if (s[i] === '_') return refused('a number may not start with an underscore');
  let digits = '';
  let underscore = false;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') {
      if (underscore) return refused('two underscores in a row');
      underscore = true;
    } else if (digitValue(c) < radix) {
      digits += c;
      underscore = false;
    } else break;
  }
  if (digits === '') return refused(`it holds no base-${radix} digits`);
  if (underscore) return refused('a number may not end with an underscore');
  while (space(s[i])) i++;
  if (i < s.length) return refused(`it is not a base-${radix === 10 && base === 0 ? '0' : radix} integer`);
  if (oldOctal && /[^0]/.test(digits)) return refused('base 0 does not allow leading zeros');
  const n = sign * (radix === 10 ? Number(digits) : Number.parseInt(digits, radix));
  // The limit holds for every base that is not a power of two.
  if ((radix & (radix - 1)) !== 0 && digits.length > PYTHON_MAX_STR_DIGITS && n !== 0) {
    return {
      n,
      caveat: `unless the interpreter refuses an integer of ${digits.length.toLocaleString('en-US')} digits (Python 3.11+ and the security releases since 3.7.14 refuse more than 4,300 unless PYTHONINTMAXSTRDIGITS allows them), in which case the server does not start`,
    };
  }
  return { n };
}

/** `int(text)`: click's INT (`click/types.py IntParamType`), argparse's `type=int`, `int(os.environ[…])`. */
export const PYTHON_INT: IntReader = { name: "Python's int()", read: (text) => pythonInt(text, 10) };

/** `int(text, 0)`: gunicorn's `validate_pos_int` on a string (a config file's `workers = "0x4"`). */
export const PYTHON_INT_AUTO: IntReader = { name: "Python's int(x, 0)", read: (text) => pythonInt(text, 0) };

/**
 * optparse's `type="int"` (Lib/optparse.py `_parse_num`): `0x…` is hexadecimal, `0b…` binary, any
 * other leading `0` octal (`010` is 8, `08` is refused), else decimal; then `int(text, radix)`.
 */
export const OPTPARSE_INT: IntReader = {
  name: "optparse's int",
  read(text) {
    const head = text.slice(0, 2).toLowerCase();
    if (head === '0x') return pythonInt(text, 16);
    if (head === '0b') return pythonInt(text.slice(2) || '0', 2);
    return pythonInt(text, text[0] === '0' ? 8 : 10);
  },
};

/** Ruby's whitespace for number parsing (ISSPACE). */
const RUBY_SPACE = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/**
 * Ruby's `Integer(text)` (bignum.c `rb_int_parse_cstr` with base 0 and badcheck): blanks around the
 * number, one sign, a `0x`/`0b`/`0o`/`0d` prefix or a leading `0` for octal (`010` is 8, `08` is
 * refused), digits with single underscores between them; anything else is an ArgumentError.
 */
export const RUBY_INTEGER: IntReader = {
  name: "Ruby's Integer()",
  read(text) {
    const refused = (why: string): IntRead => ({
      refused: `${why}, so Ruby's Integer() refuses ${quoteValue(text)}`,
    });
    let i = 0;
    while (RUBY_SPACE(text[i])) i++;
    let sign = 1;
    if (text[i] === '+' || text[i] === '-') sign = text[i++] === '-' ? -1 : 1;
    let radix = 10;
    if (text[i] === '0' && i + 1 < text.length) {
      const m = text[i + 1].toLowerCase();
      const prefixed: Record<string, number> = { x: 16, b: 2, o: 8, d: 10 };
      if (m in prefixed) {
        radix = prefixed[m];
        i += 2;
      } else radix = 8;
    }
    let digits = '';
    let underscore = true; // no underscore first, nor right after a prefix
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '_') {
        if (underscore) return refused('an underscore must stand between two digits');
        underscore = true;
      } else if (digitValue(c) < radix) {
        digits += c;
        underscore = false;
      } else break;
    }
    if (digits === '') return refused(`it holds no base-${radix} digits`);
    if (underscore) return refused('an underscore must stand between two digits');
    while (RUBY_SPACE(text[i])) i++;
    if (i < text.length) return refused(`it is not a base-${radix} integer`);
    return { n: sign * (radix === 10 ? Number(digits) : Number.parseInt(digits, radix)) };
  },
};

/**
 * Ruby's `String#to_i` (base 10, `rb_int_parse_cstr` without badcheck): blanks, one sign, an optional
 * `0d` prefix, then digits with single underscores between them, up to the first other character;
 * no digits is 0. It never refuses: `"4abc".to_i` is 4, `"abc".to_i` 0.
 */
export const RUBY_TO_I: IntReader = {
  name: "Ruby's to_i",
  read(text) {
    let i = 0;
    while (RUBY_SPACE(text[i])) i++;
    let sign = 1;
    if (text[i] === '+' || text[i] === '-') sign = text[i++] === '-' ? -1 : 1;
    if (text[i] === '0' && (text[i + 1] === 'd' || text[i + 1] === 'D')) i += 2;
    let digits = '';
    for (; i < text.length; i++) {
      const c = text[i];
      if (c >= '0' && c <= '9') digits += c;
      else if (
        c !== '_' ||
        digits === '' ||
        text[i + 1] < '0' ||
        text[i + 1] > '9' ||
        text[i + 1] === undefined
      )
        break;
    }
    return { n: digits === '' ? 0 : sign * Number(digits) };
  },
};

/**
 * JavaScript's `parseInt(text)` without a radix, as pm2 calls it (lib/Common.js `verifyConfs`,
 * lib/God.js): leading whitespace, one sign, `0x` for hexadecimal, then digits up to the first other
 * character; no digits is NaN, which pm2 turns into 0 (`parseInt(…) || 0`). Never refuses.
 */
export const JS_PARSE_INT: IntReader = {
  name: 'parseInt()',
  // biome-ignore lint/correctness/useParseIntRadix: pm2 calls parseInt without a radix (`0x4` is 4).
  read: (text) => ({ n: Number.parseInt(text) }),
};

/**
 * C's `atoi`, as uWSGI reads integer options (core/utils.c): leading blanks, an optional sign, then
 * digits; anything else stops the number, and no digits at all is 0 (so `--processes %k` on a command
 * line is 0). Never refuses.
 */
export const C_ATOI: IntReader = { name: 'atoi()', read: (text) => ({ n: atoi(text) }) };

/**
 * Digits only, an optional sign and blanks around: for servers whose own reading of other text is
 * not modelled here (sidekiqswarm's source is not public; PHP's and throng's conversions are not
 * followed). Any other text is unknown, never guessed.
 */
export const PLAIN_DECIMAL: IntReader = {
  name: 'a decimal number',
  read(text) {
    const t = text.trim();
    return /^[+-]?\d+$/.test(t)
      ? { n: Number(t) }
      : { unread: `oneproc does not know how the server reads ${quoteValue(text)} as a number` };
  },
};

/**
 * Ruby's OptionParser `Integer` argument (lib/optparse.rb `accept(Integer, …)`): the text must match
 * `[-+]?` and a decimal, `0b`/`0x` or leading-`0` octal integer with single underscores, no blanks,
 * then `Integer(text)`; anything else is an invalid argument.
 */
export const OPTIONPARSER_INTEGER: IntReader = {
  name: "OptionParser's Integer",
  read(text) {
    const integer =
      /^[-+]?(?:0(?:[0-7]+(?:_[0-7]+)*|b[01]+(?:_[01]+)*|x[\da-f]+(?:_[\da-f]+)*)?|\d+(?:_\d+)*)$/i;
    if (!integer.test(text))
      return { refused: `OptionParser refuses ${quoteValue(text)} as an Integer argument` };
    return RUBY_INTEGER.read(text);
  },
};

/** `reader`, also refusing values below `min` with `why` (e.g. gunicorn's `validate_pos_int`). */
export function atLeast(reader: IntReader, min: number, why: string): IntReader {
  return {
    name: reader.name,
    read(text) {
      const r = reader.read(text);
      return 'n' in r && r.n < min ? { refused: `${why} (${quoteValue(text)} is ${r.n})` } : r;
    },
  };
}

/** A value as shown in a message: quoted, shortened. */
function quoteValue(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}…` : text);
}

/** What a worker count written somewhere turns out to be. */
export type Count =
  | { readonly kind: 'number'; readonly n: number; readonly caveat?: string }
  /** A formula over the CPU count whose smallest value for 1…256 CPUs is `min` (and largest `max`). */
  | { readonly kind: 'per-cpu'; readonly min: number; readonly max: number }
  /**
   * Text the server's integer reader refuses (`refused` says why), which a rule may still give its
   * own meaning first (`max`, `auto`, …): otherwise the server does not start.
   */
  | { readonly kind: 'text'; readonly text: string; readonly refused: string }
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * Reads a count from a word as `reader` does: a `$(nproc)` formula (left by a shell) is bounded over
 * the CPU count, a value unknown here stays unknown, and known text is read by the server's reader.
 */
export function readCount(
  word: Pick<Word, 'text' | 'unknown' | 'refused' | 'atLeast'>,
  reader: IntReader,
): Count {
  if (word.refused !== undefined) return { kind: 'text', text: word.text.trim(), refused: word.refused };
  const formula = cpuFormulaBounds(word.text);
  if (formula) return { kind: 'per-cpu', ...formula };
  // A value the shell knows only by its lower bound (a CPU count, or a formula over one).
  if (word.unknown && word.atLeast !== undefined)
    return { kind: 'per-cpu', min: word.atLeast, max: Number.POSITIVE_INFINITY };
  if (word.unknown) return { kind: 'unknown', why: word.unknown };
  const r = reader.read(word.text);
  if ('refused' in r) return { kind: 'text', text: word.text.trim(), refused: r.refused };
  if ('unread' in r) return { kind: 'unknown', why: r.unread };
  return r.caveat === undefined ? { kind: 'number', n: r.n } : { kind: 'number', n: r.n, caveat: r.caveat };
}

/** Reads a count from an env entry (e.g. WEB_CONCURRENCY) as `reader` does. */
export function readEnvCount(entry: EnvEntry, reader: IntReader): Count {
  if (entry.value === undefined)
    return entry.atLeast !== undefined
      ? { kind: 'per-cpu', min: entry.atLeast, max: Number.POSITIVE_INFINITY }
      : { kind: 'unknown', why: entry.unknown ?? `${entry.name} is not known here` };
  return readCount(
    entry.atLeast === undefined
      ? { text: entry.value, unknown: entry.unknown }
      : { text: entry.value, unknown: entry.unknown, atLeast: entry.atLeast },
    reader,
  );
}

/**
 * Turns a count into a decision with the usual meaning (n ≤ 1: one process; n > 1: that many; text the
 * server refuses: it does not start). Rules with other semantics (pm2's 0 = max, hypercorn 0.18's
 * 0 = in-process) handle those first.
 */
export function decideCount(count: Count, evidence: string, path: string): Decision {
  switch (count.kind) {
    case 'number': {
      if (count.n <= 1) return { outcome: 'single', evidence, path };
      const workers = Number.isSafeInteger(count.n) ? count.n : null;
      return count.caveat === undefined
        ? { outcome: 'multiple', workers, evidence, path }
        : { outcome: 'multiple', workers, evidence, path, why: count.caveat };
    }
    case 'per-cpu':
      if (count.min > 1) {
        return {
          outcome: 'multiple',
          workers: null,
          evidence,
          path,
          why: `at least ${count.min} on any node`,
        };
      }
      return { outcome: 'unknown', evidence, path, why: 'it depends on the number of CPUs of the node' };
    case 'text': {
      // The kubelet passes `$(NAME)` on as written when NAME is not defined or the reference is
      // escaped as `$$(NAME)` (kubernetes third_party/forked/golang/expansion/expand.go), and the
      // server then reads those characters.
      const reference = /\$\([A-Za-z_][A-Za-z0-9_]*\)/.exec(count.text);
      const note = reference ? ` (\`${reference[0]}\` reaches the server as written, not expanded)` : '';
      return { outcome: 'refused', evidence, path, why: `${count.refused}${note}` };
    }
    case 'unknown':
      return { outcome: 'unknown', evidence, path, why: count.why };
  }
}

/** Env entry lookup. */
export function env(cmd: SimpleCommand, name: string): EnvEntry | undefined {
  return cmd.env.get(name);
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

/** The first word from `from` on that is not an option (nor an option's value), e.g. a subcommand. */
export function firstPositional(
  argv: readonly Word[],
  from: number,
  takesValue: readonly string[] = [],
): { word: Word; index: number } | undefined {
  for (let i = from; i < argv.length; i++) {
    const text = argv[i].text;
    if (text === '--') return argv[i + 1] ? { word: argv[i + 1], index: i + 1 } : undefined;
    if (text.startsWith('-') && text.length > 1) {
      if (takesValue.includes(text)) i++;
      continue;
    }
    return { word: argv[i], index: i };
  }
  return undefined;
}

/** The last occurrence of an option (most servers let a later occurrence override an earlier one). */
export function lastOption(
  argv: readonly Word[],
  names: readonly string[],
  opts: ScanOptions = {},
): OptionHit | undefined {
  const hits = findOption(argv, names, opts);
  return hits[hits.length - 1];
}

// ---------------------------------------------------------------------------------------------------
// Additions used by the Python server rules (additive; the helpers above keep their behaviour).

/** The occurrence that takes effect when the parser keeps the last one (argparse, click, getopt). */
export function lastHit(hits: readonly OptionHit[]): OptionHit | undefined {
  return hits.length > 0 ? hits[hits.length - 1] : undefined;
}

/**
 * The decision for an option that sets a worker count, read as the server reads it. A missing value
 * makes the server refuse to start, which is no worker at all: nothing to report.
 */
export function decideOption(hit: OptionHit, reader: IntReader): Decision {
  if (!hit.value) return { outcome: 'single', evidence: hit.written, path: hit.path };
  return decideCount(readCount(hit.value, reader), hit.written, hit.path);
}

/** How an env entry is shown in evidence: `WEB_CONCURRENCY=4`, or the bare name when unknown. */
export function envEvidence(entry: EnvEntry): string {
  return entry.value === undefined ? entry.name : `${entry.name}=${entry.value}`;
}

/** The decision for an environment variable that sets a worker count (e.g. WEB_CONCURRENCY). */
export function decideEnv(entry: EnvEntry, reader: IntReader): Decision {
  return decideCount(readEnvCount(entry, reader), envEvidence(entry), entry.path);
}

/**
 * Click's reading of a boolean from an environment variable (BoolParamType): `1/true/t/yes/y/on`
 * and `0/false/f/no/n/off`, case-insensitive; an empty value is ignored by click's auto-envvar lookup.
 * Returns undefined when the variable does not decide (absent or empty), 'unknown' when its value
 * cannot be known here.
 */
export function clickEnvBool(entry: EnvEntry | undefined): boolean | 'unknown' | undefined {
  if (!entry) return undefined;
  if (entry.value === undefined || entry.unknown) return 'unknown';
  const v = entry.value.trim().toLowerCase();
  if (v === '') return undefined;
  if (['1', 'true', 't', 'yes', 'y', 'on'].includes(v)) return true;
  if (['0', 'false', 'f', 'no', 'n', 'off'].includes(v)) return false;
  // click rejects the value and the server does not start.
  return false;
}

/**
 * A click option read the way click's auto-envvar prefix does: the environment variable is used only
 * when the option is absent from the command line, and an empty value counts as absent.
 */
export function clickEnv(cmd: SimpleCommand, name: string): EnvEntry | undefined {
  const entry = cmd.env.get(name);
  if (!entry) return undefined;
  if (entry.value !== undefined && !entry.unknown && entry.value === '') return undefined;
  return entry;
}

/**
 * C's `atoi`, as uWSGI reads integer options (core/uwsgi.c `uwsgi_opt_set_int`: `atoi` in 2.0.21,
 * `(int)strtol(value, &endptr, 10)` with a warning for trailing text in 2.0.30; glibc's `atoi` is that
 * same cast) — leading blanks (C's isspace), an optional sign, then digits;
 * anything else stops the number, no digits at all is 0 (so `--processes %k` on a command line is 0),
 * a value beyond a long is clamped to it, and the cast keeps the low 32 bits.
 */
export function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!m) return 0;
  const LONG_MAX = 2n ** 63n - 1n;
  const digits = m[2].replace(/^0+(?=\d)/, '');
  let n = digits.length > 20 ? LONG_MAX + 1n : BigInt(digits);
  if (m[1] === '-') n = -n;
  if (n > LONG_MAX) n = LONG_MAX;
  if (n < -LONG_MAX - 1n) n = -LONG_MAX - 1n;
  return Number(BigInt.asIntN(32, n));
}

/**
 * Splits a variable holding a command line the way Python's `shlex.split` does (quotes and
 * backslashes, no expansion), e.g. GUNICORN_CMD_ARGS. Every word carries the entry's path. Returns
 * undefined when the value is not known here.
 */
export function splitEnvArgs(entry: EnvEntry): Word[] | undefined {
  if (entry.value === undefined || entry.unknown) return undefined;
  const words: Word[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  const text = entry.value;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1])) current += text[++i];
      else current += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push({ text: current, path: entry.path });
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < text.length) current += text[++i];
    else current += c;
  }
  // shlex.split raises on an unclosed quote; gunicorn then fails to start. Keep what was read.
  if (inWord) words.push({ text: current, path: entry.path });
  return words;
}

/**
 * The usual fix for a decision: the option or variable that set the count, and what to write instead.
 * `one` is the server's way to ask for one worker on the command line, e.g. `--workers 1`.
 */
export function countFix(decision: Decision, one: string): string {
  if (decision.outcome === 'single') return '';
  const evidence = decision.evidence;
  const env = /^([A-Z][A-Z0-9_]*)(=|$)/.exec(evidence);
  if (decision.outcome === 'unknown' || decision.outcome === 'refused') {
    if (env) return `make sure ${env[1]} resolves to 1, or pass \`${one}\` on the command line`;
    if (evidence.startsWith('-')) return `replace \`${evidence}\` with \`${one}\``;
    return `pass \`${one}\` on the command line`;
  }
  if (env) return `set ${env[1]}=1 (or remove it), or pass \`${one}\` on the command line`;
  if (evidence.startsWith('-')) return `drop \`${evidence}\` (or set \`${one}\`)`;
  return `pass \`${one}\` on the command line`;
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

/** A rule that also recognises its program run as a script by a Python interpreter (see asScript). */
export function viaPython(rule: ServerRule, names: ReadonlySet<string>): ServerRule {
  return {
    ...rule,
    recognise: (cmd) => rule.recognise(asScript(cmd, names)),
    decide: (cmd) => rule.decide(asScript(cmd, names)),
  };
}
