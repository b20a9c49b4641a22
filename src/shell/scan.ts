/**
 * The structural pass over a shell script that shell-quote cannot do: it finds comments, line
 * breaks, here-documents and every `$…`/backtick expansion (respecting quotes and nesting), and
 * replaces each expansion by an opaque marker. shell-quote then only splits words, removes quotes
 * and recognises operators, and the markers are resolved afterwards against the shell's variables
 * at that point of the script. One pass, linear in the script's length (an unterminated quote or
 * substitution consumes the rest of the script once; nothing is rescanned).
 */

/** What a marker stands for. */
export type MarkerKind =
  /** `$NAME`, `${…}`, `$1`, `$@`, … */
  | 'param'
  /** `$(…)` or backticks. */
  | 'command'
  /** `$((…))`. */
  | 'arithmetic'
  /** `<(…)`, `>(…)`. */
  | 'process'
  /** A `$(VAR)` Kubernetes reference whose value is not known (valueFrom, envFrom). */
  | 'kubernetes'
  /** The body of a here-document, standing where its delimiter was. */
  | 'heredoc';

export interface Marker {
  readonly kind: MarkerKind;
  /** The text as written in the script (for a here-document: its body). */
  text: string;
  /** Inside double quotes: the result is not split into words. */
  readonly quoted: boolean;
  /** For `kubernetes` markers: why the value is not known. */
  readonly unknown?: string;
}

export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';
/** Matches one marker in a word; the index into the marker table is base 36. */
export const MARKER_RE = /\uE000([0-9a-z]+)\uE001/g;

/** A table of markers shared by one script and the words made from it. */
export class MarkerTable {
  readonly entries: Marker[] = [];
  add(marker: Marker): string {
    this.entries.push(marker);
    return `${MARK_OPEN}${(this.entries.length - 1).toString(36)}${MARK_CLOSE}`;
  }
  get(id: string): Marker | undefined {
    return this.entries[Number.parseInt(id, 36)];
  }
}

export interface ScanResult {
  /** Logical lines (joined continuations), with expansions replaced by markers. */
  readonly lines: string[];
  /** Set when a quote, substitution or here-document is not closed: what was left open. */
  readonly unterminated?: string;
  /** The text from the unterminated construct to the end of the script. */
  readonly unterminatedText?: string;
}

const SINGLE = 1;
const DOUBLE = 2;

/** True for characters that end a word outside quotes. */
function isBreak(c: string): boolean {
  return (
    c === ' ' ||
    c === '\t' ||
    c === '\r' ||
    c === '\n' ||
    c === ';' ||
    c === '&' ||
    c === '|' ||
    c === '(' ||
    c === ')' ||
    c === '<' ||
    c === '>'
  );
}

type Context = 'paren' | 'brace' | 'double' | 'backtick';

/**
 * Index of the character that closes the construct whose content starts at `from` (a `)` for
 * `$(`, `}` for `${`, `"`, or a backtick), skipping quotes, escapes and nested substitutions; -1
 * when it is not closed. Iterative with its own stack, so deep nesting cannot overflow the call stack.
 */
function findClose(s: string, from: number, initial: Context): number {
  const stack: Context[] = [initial];
  for (let j = from; j < s.length; j++) {
    const top = stack[stack.length - 1];
    const c = s[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (top === 'backtick') {
      if (c === '`') stack.pop();
    } else if (top === 'double') {
      if (c === '"') stack.pop();
      else if (c === '`') stack.push('backtick');
      else if (c === '$' && s[j + 1] === '(') {
        stack.push('paren');
        j++;
      } else if (c === '$' && s[j + 1] === '{') {
        stack.push('brace');
        j++;
      }
    } else {
      if (c === "'") {
        const k = s.indexOf("'", j + 1);
        if (k < 0) return -1;
        j = k;
      } else if (c === '"') stack.push('double');
      else if (c === '`') stack.push('backtick');
      else if (c === '$' && s[j + 1] === '(') {
        stack.push('paren');
        j++;
      } else if (c === '$' && s[j + 1] === '{') {
        stack.push('brace');
        j++;
      } else if (c === '(' && top === 'paren') stack.push('paren');
      else if (c === ')' && top === 'paren') stack.pop();
      else if (c === '}' && top === 'brace') stack.pop();
    }
    if (stack.length === 0) return j;
  }
  return -1;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL = '@*#?$!-';

/**
 * Scans a script. Markers already in `script` (Kubernetes references) pass through untouched.
 */
export function scanScript(script: string, markers: MarkerTable): ScanResult {
  const s = script;
  const n = s.length;
  const lines: string[] = [];
  let line = '';
  let seg = 0;
  let quote = 0;
  let quoteStart = 0;
  let wordStart = true;
  let unterminated: string | undefined;
  let unterminatedAt = 0;
  const pendingHeredocs: Array<{ delimiter: string; stripTabs: boolean; marker: Marker }> = [];
  const flush = (to: number) => {
    if (to > seg) line += s.slice(seg, to);
  };
  const open = (what: string, at: number) => {
    unterminated = what;
    unterminatedAt = at;
  };
  let i = 0;
  while (i < n) {
    const c = s[i];
    if (quote === SINGLE) {
      if (c === "'") quote = 0;
      i++;
      continue;
    }
    if (c === '\\') {
      if (s[i + 1] === '\n') {
        flush(i);
        i += 2;
        seg = i;
        continue;
      }
      i += 2;
      wordStart = false;
      continue;
    }
    if (quote === DOUBLE) {
      if (c === '"') {
        quote = 0;
        i++;
      } else if (c === '$' || c === '`') {
        i = expansion(i, true);
      } else i++;
      continue;
    }
    switch (c) {
      case "'":
        quote = SINGLE;
        quoteStart = i;
        wordStart = false;
        i++;
        break;
      case '"':
        quote = DOUBLE;
        quoteStart = i;
        wordStart = false;
        i++;
        break;
      case '$':
        if (s[i + 1] === "'") {
          // ANSI-C quoting: shell-quote expands it; find its end so nothing inside is scanned.
          let j = i + 2;
          while (j < n && s[j] !== "'") j += s[j] === '\\' ? 2 : 1;
          if (j >= n) {
            open("a $'…' string", i);
            i = n;
          } else i = j + 1;
          wordStart = false;
        } else if (s[i + 1] === '"') {
          // $"…" (locale translation) is a double-quoted string.
          flush(i);
          seg = i + 1;
          i++;
        } else {
          i = expansion(i, false);
        }
        break;
      case '`':
        i = expansion(i, false);
        break;
      case '#':
        if (wordStart) {
          flush(i);
          const end = s.indexOf('\n', i);
          i = end < 0 ? n : end;
          seg = i;
        } else {
          // shell-quote would read a `#` inside a word as a comment; the shell does not.
          flush(i);
          line += '\\#';
          i++;
          seg = i;
        }
        break;
      case '\n':
        flush(i);
        endLine();
        i++;
        seg = i;
        if (pendingHeredocs.length > 0) readHeredocs();
        wordStart = true;
        break;
      case '<':
      case '>':
        if (s[i + 1] === '(') {
          i = substitution(i, i + 1, 'process', false);
          break;
        }
        if (c === '<' && s[i + 1] === '<' && s[i + 2] !== '<') {
          heredoc();
          break;
        }
        wordStart = true;
        i++;
        break;
      case ' ':
      case '\t':
      case '\r':
      case ';':
      case '&':
      case '|':
      case '(':
      case ')':
        wordStart = true;
        i++;
        break;
      default:
        if (wordStart && c >= '0' && c <= '9') {
          // `2>&1`, `1>/dev/null`: the file descriptor number is part of the redirection.
          let j = i;
          while (j < n && s[j] >= '0' && s[j] <= '9') j++;
          if (s[j] === '>' || s[j] === '<') {
            flush(i);
            i = j;
            seg = j;
            break;
          }
        }
        wordStart = false;
        i++;
    }
  }
  if (quote !== 0 && unterminated === undefined) {
    open(quote === SINGLE ? 'a single quote' : 'a double quote', quoteStart);
    // Close it so the tokenizer sees the same words the scan did.
    flush(n);
    seg = n;
    line += quote === SINGLE ? "'" : '"';
  }
  if (pendingHeredocs.length > 0 && unterminated === undefined) {
    open(`a here-document (delimiter ${pendingHeredocs[0].delimiter})`, n);
  }
  flush(n);
  endLine();
  return unterminated === undefined
    ? { lines }
    : { lines, unterminated, unterminatedText: s.slice(unterminatedAt) };

  function endLine() {
    if (line.trim() !== '') lines.push(line);
    line = '';
  }

  /** Replaces the expansion starting at `at` by a marker; returns the index after it. */
  function expansion(at: number, quoted: boolean): number {
    wordStart = false;
    if (s[at] === '`') {
      const end = findClose(s, at + 1, 'backtick');
      return emit(at, end, 'command', quoted, 'a backtick substitution');
    }
    const next = s[at + 1];
    if (next === '(') return substitution(at, at + 1, s[at + 2] === '(' ? 'arithmetic' : 'command', quoted);
    if (next === '{') {
      const end = findClose(s, at + 2, 'brace');
      return emit(at, end, 'param', quoted, 'a parameter expansion');
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = at + 2;
      while (j < n && NAME_CHAR.test(s[j])) j++;
      return emit(at, j - 1, 'param', quoted, '');
    }
    if (next !== undefined && ((next >= '0' && next <= '9') || SPECIAL.includes(next))) {
      return emit(at, at + 1, 'param', quoted, '');
    }
    // A lone `$` is literal; escape it so the tokenizer does not read a variable.
    flush(at);
    line += '\\$';
    seg = at + 1;
    return at + 1;
  }

  function substitution(
    at: number,
    paren: number,
    kind: 'command' | 'arithmetic' | 'process',
    quoted: boolean,
  ) {
    wordStart = false;
    const end = findClose(s, paren + 1, 'paren');
    const what =
      kind === 'arithmetic'
        ? 'a $((…)) expression'
        : kind === 'process'
          ? 'a process substitution'
          : 'a $(…) substitution';
    let k = kind;
    if (kind === 'arithmetic' && end > 0 && s[end - 1] !== ')') k = 'command';
    return emit(at, end, k, quoted, what);
  }

  /** Emits a marker for s[at..end] (inclusive); end < 0 means not closed: take the rest. */
  function emit(at: number, end: number, kind: MarkerKind, quoted: boolean, what: string): number {
    flush(at);
    const last = end < 0 ? n - 1 : end;
    if (end < 0) open(what, at);
    line += markers.add({ kind, text: s.slice(at, last + 1), quoted });
    seg = last + 1;
    return last + 1;
  }

  /** `<<DELIM` or `<<-DELIM`: the body starts after the current line ends. */
  function heredoc() {
    flush(i);
    let j = i + 2;
    const stripTabs = s[j] === '-';
    if (stripTabs) j++;
    while (s[j] === ' ' || s[j] === '\t') j++;
    let delimiter = '';
    while (j < n && !isBreak(s[j])) {
      const ch = s[j];
      if (ch === "'" || ch === '"') {
        const k = s.indexOf(ch, j + 1);
        const end = k < 0 ? n : k;
        delimiter += s.slice(j + 1, end);
        j = end + 1;
      } else if (ch === '\\') {
        delimiter += s[j + 1] ?? '';
        j += 2;
      } else {
        delimiter += ch;
        j++;
      }
    }
    const marker: Marker = { kind: 'heredoc', text: '', quoted: true };
    line += ` << ${markers.add(marker)} `;
    pendingHeredocs.push({ delimiter, stripTabs, marker });
    i = Math.min(j, n);
    seg = i;
    wordStart = true;
  }

  /** Reads the bodies of the here-documents of the line that just ended (i is at its start). */
  function readHeredocs() {
    while (pendingHeredocs.length > 0) {
      const doc = pendingHeredocs[0];
      const start = i;
      let found = false;
      while (i < n) {
        const nl = s.indexOf('\n', i);
        const end = nl < 0 ? n : nl;
        let text = s.slice(i, end);
        if (doc.stripTabs) text = text.replace(/^\t+/, '');
        if (text === doc.delimiter) {
          doc.marker.text = s.slice(start, i);
          i = nl < 0 ? n : nl + 1;
          found = true;
          break;
        }
        i = nl < 0 ? n : nl + 1;
      }
      if (!found) {
        doc.marker.text = s.slice(start);
        open(`a here-document (delimiter ${doc.delimiter})`, start);
        pendingHeredocs.length = 0;
        break;
      }
      pendingHeredocs.shift();
    }
    seg = i;
  }
}
