/**
 * Where a text stops being JSON, without quoting it. V8's `JSON.parse` errors quote the text around the
 * fault (`Unexpected token 'A', "{"kind": AdmissionR"... is not valid JSON`), and a request body must never
 * reach an answer or a log line: it may hold a Secret's data or a token. This scanner finds the same
 * fault again and reports only its position.
 *
 * The grammar is RFC 8259 (https://www.rfc-editor.org/rfc/rfc8259), which is what `JSON.parse` accepts
 * (ECMA-262, 25.5.1: the text must be valid per ECMA-404). One pass, no recursion: nesting depth is
 * tracked in an array, so a body of a million `[` costs memory linear in the body and no stack.
 */

/** What was wrong and where: `position` is a 0-based index in the text (UTF-16 code units, as V8 counts). */
export interface JsonFault {
  readonly what: 'unexpected character' | 'unexpected end of input';
  readonly position: number;
}

// What the scanner expects next.
/** A value (top level, after `:` or after `,` in an array). */
const VALUE = 0;
/** A value or `]` (just after `[`). */
const VALUE_OR_CLOSE = 1;
/** A key or `}` (just after `{`). */
const KEY_OR_CLOSE = 2;
/** A key (after `,` in an object). */
const KEY = 3;
/** `:` after a key. */
const COLON = 4;
/** `,` or the closing bracket of the innermost container. */
const COMMA_OR_CLOSE = 5;
/** Only white space (after the top-level value). */
const END = 6;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The first fault of `text` as JSON, or undefined when it is valid JSON. */
export function findJsonFault(text: string): JsonFault | undefined {
  const n = text.length;
  const stack: number[] = [];
  let expect: number = VALUE;
  let i = 0;
  const unexpected = (at: number): JsonFault =>
    at >= n
      ? { what: 'unexpected end of input', position: n }
      : { what: 'unexpected character', position: at };

  while (true) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return expect === END ? undefined : unexpected(n);
    const c = text.charCodeAt(i);
    switch (expect) {
      case END:
        return unexpected(i);
      case COLON:
        if (c !== 0x3a) return unexpected(i);
        i++;
        expect = VALUE;
        continue;
      case COMMA_OR_CLOSE: {
        const top = stack[stack.length - 1];
        if (c === 0x2c) {
          i++;
          expect = top === 0x7b ? KEY : VALUE;
          continue;
        }
        if ((top === 0x7b && c === 0x7d) || (top === 0x5b && c === 0x5d)) {
          i++;
          stack.pop();
          expect = stack.length === 0 ? END : COMMA_OR_CLOSE;
          continue;
        }
        return unexpected(i);
      }
      case KEY_OR_CLOSE:
      case KEY: {
        if (c === 0x7d && expect === KEY_OR_CLOSE) {
          i++;
          stack.pop();
          expect = stack.length === 0 ? END : COMMA_OR_CLOSE;
          continue;
        }
        if (c !== QUOTE) return unexpected(i);
        const end = scanString(text, i);
        if (end < 0) return unexpected(-end - 1);
        i = end;
        expect = COLON;
        continue;
      }
      case VALUE_OR_CLOSE:
        if (c === 0x5d) {
          i++;
          stack.pop();
          expect = stack.length === 0 ? END : COMMA_OR_CLOSE;
          continue;
        }
        break;
      case VALUE:
        break;
    }
    // A value.
    if (c === 0x7b) {
      stack.push(0x7b);
      i++;
      expect = KEY_OR_CLOSE;
      continue;
    }
    if (c === 0x5b) {
      stack.push(0x5b);
      i++;
      expect = VALUE_OR_CLOSE;
      continue;
    }
    let end: number;
    if (c === QUOTE) end = scanString(text, i);
    else if (c === 0x2d || isDigit(c)) end = scanNumber(text, i);
    else if (c === 0x74) end = scanWord(text, i, 'true');
    else if (c === 0x66) end = scanWord(text, i, 'false');
    else if (c === 0x6e) end = scanWord(text, i, 'null');
    else return unexpected(i);
    if (end < 0) return unexpected(-end - 1);
    i = end;
    expect = stack.length === 0 ? END : COMMA_OR_CLOSE;
  }
}

// The scanners return the index after the token, or -(position of the fault) - 1.

function scanString(text: string, start: number): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -i - 1;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    if (i + 1 >= n) return -n - 1;
    const e = text.charCodeAt(i + 1);
    if (e === 0x75) {
      for (let k = 2; k < 6; k++) {
        if (i + k >= n) return -n - 1;
        if (!isHex(text.charCodeAt(i + k))) return -(i + k) - 1;
      }
      i += 6;
    } else if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x2f ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    ) {
      i += 2;
    } else {
      return -(i + 1) - 1;
    }
  }
  return -n - 1;
}

function scanNumber(text: string, start: number): number {
  const n = text.length;
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (i >= n) return -n - 1;
  if (text.charCodeAt(i) === 0x30) {
    i++;
  } else if (isDigit(text.charCodeAt(i))) {
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  } else {
    return -i - 1;
  }
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    if (i >= n) return -n - 1;
    if (!isDigit(text.charCodeAt(i))) return -i - 1;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (i >= n) return -n - 1;
    if (!isDigit(text.charCodeAt(i))) return -i - 1;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

function scanWord(text: string, start: number, word: string): number {
  for (let k = 0; k < word.length; k++) {
    if (start + k >= text.length) return -text.length - 1;
    if (text.charCodeAt(start + k) !== word.charCodeAt(k)) return -(start + k) - 1;
  }
  return start + word.length;
}

/** A message for an answer or a log: what and where, never the text itself. */
export function describeJsonFault(text: string): string {
  const fault = findJsonFault(text);
  if (!fault) return 'request body is not valid JSON';
  return `request body is not valid JSON: ${fault.what} at position ${fault.position}`;
}
