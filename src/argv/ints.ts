/**
 * Integers as each server reads them: one reader per semantics (Python's int(), optparse, Ruby's
 * Integer() and to_i, OptionParser, JavaScript's parseInt, C's atoi), used by every rule and config
 * reader. Pure functions: no IO, never throw.
 */

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
