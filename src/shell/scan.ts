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

const PAREN = 0;
const BRACE = 1;
const DQUOTE = 2;
const BACKTICK = 3;
const CONTEXT_CODE: Record<Context, number> = {
  paren: PAREN,
  brace: BRACE,
  double: DQUOTE,
  backtick: BACKTICK,
};

/**
 * Index of the character that closes the construct whose content starts at `from` (a `)` for
 * `$(`, `}` for `${`, `"`, or a backtick), skipping quotes, escapes and nested substitutions; -1
 * when it is not closed. Iterative with its own stack (one byte per open construct, at most one per
 * character, grown by doubling), so deep nesting can neither overflow the call stack nor cost an
 * allocation each.
 */
function findClose(s: string, from: number, initial: Context): number {
  const n = s.length;
  let stack = new Uint8Array(16);
  stack[0] = CONTEXT_CODE[initial];
  let depth = 1;
  for (let j = from; j < n; j++) {
    const top = stack[depth - 1];
    const c = s.charCodeAt(j);
    if (c === 92 /* \\ */) {
      j++;
      continue;
    }
    const next = j + 1 < n ? s.charCodeAt(j + 1) : 0;
    if (depth === stack.length) {
      const grown = new Uint8Array(stack.length * 2);
      grown.set(stack);
      stack = grown;
    }
    if (top === BACKTICK) {
      if (c === 96 /* ` */) depth--;
    } else if (top === DQUOTE) {
      if (c === 34 /* " */) depth--;
      else if (c === 96) stack[depth++] = BACKTICK;
      else if (c === 36 /* $ */ && next === 40 /* ( */) {
        stack[depth++] = PAREN;
        j++;
      } else if (c === 36 && next === 123 /* { */) {
        stack[depth++] = BRACE;
        j++;
      }
    } else {
      if (c === 39 /* ' */) {
        const k = s.indexOf("'", j + 1);
        if (k < 0) return -1;
        j = k;
      } else if (c === 34) stack[depth++] = DQUOTE;
      else if (c === 96) stack[depth++] = BACKTICK;
      else if (c === 36 && next === 40) {
        stack[depth++] = PAREN;
        j++;
      } else if (c === 36 && next === 123) {
        stack[depth++] = BRACE;
        j++;
      } else if (c === 40 && top === PAREN) stack[depth++] = PAREN;
      else if (c === 41 /* ) */ && top === PAREN) depth--;
      else if (c === 125 /* } */ && top === BRACE) depth--;
    }
    if (depth === 0) return j;
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
  return new Scanner(script, markers).run();
}

/** The state of one scan (a class rather than closures: one allocation per script). */
class Scanner {
  private readonly lines: string[] = [];
  private line = '';
  private seg = 0;
  private quote = 0;
  private quoteStart = 0;
  private wordStart = true;
  private unterminated: string | undefined;
  private unterminatedAt = 0;
  private readonly pendingHeredocs: Array<{ delimiter: string; stripTabs: boolean; marker: Marker }> = [];
  private i = 0;
  private readonly n: number;

  constructor(
    private readonly s: string,
    private readonly markers: MarkerTable,
  ) {
    this.n = s.length;
  }

  private flush(to: number): void {
    if (to > this.seg) this.line += this.s.slice(this.seg, to);
  }

  private open(what: string, at: number): void {
    this.unterminated = what;
    this.unterminatedAt = at;
  }

  run(): ScanResult {
    const s = this.s;
    const n = this.n;
    while (this.i < n) {
      const c = s[this.i];
      if (this.quote === SINGLE) {
        if (c === "'") this.quote = 0;
        this.i++;
        continue;
      }
      if (c === '\\') {
        if (s[this.i + 1] === '\n') {
          this.flush(this.i);
          this.i += 2;
          this.seg = this.i;
          continue;
        }
        this.i += 2;
        this.wordStart = false;
        continue;
      }
      if (this.quote === DOUBLE) {
        if (c === '"') {
          this.quote = 0;
          this.i++;
        } else if (c === '$' || c === '`') {
          this.i = this.expansion(this.i, true);
        } else this.i++;
        continue;
      }
      switch (c) {
        case "'":
          this.quote = SINGLE;
          this.quoteStart = this.i;
          this.wordStart = false;
          this.i++;
          break;
        case '"':
          this.quote = DOUBLE;
          this.quoteStart = this.i;
          this.wordStart = false;
          this.i++;
          break;
        case '$':
          if (s[this.i + 1] === "'") {
            // ANSI-C quoting: shell-this.quote expands it; find its end so nothing inside is scanned.
            let j = this.i + 2;
            while (j < n && s[j] !== "'") j += s[j] === '\\' ? 2 : 1;
            if (j >= n) {
              this.open("a $'…' string", this.i);
              this.i = n;
            } else this.i = j + 1;
            this.wordStart = false;
          } else if (s[this.i + 1] === '"') {
            // $"…" (locale translation) is a double-quoted string.
            this.flush(this.i);
            this.seg = this.i + 1;
            this.i++;
          } else {
            this.i = this.expansion(this.i, false);
          }
          break;
        case '`':
          this.i = this.expansion(this.i, false);
          break;
        case '#':
          if (this.wordStart) {
            this.flush(this.i);
            const end = s.indexOf('\n', this.i);
            this.i = end < 0 ? n : end;
            this.seg = this.i;
          } else {
            // shell-this.quote would read a `#` inside a word as a comment; the shell does not.
            this.flush(this.i);
            this.line += '\\#';
            this.i++;
            this.seg = this.i;
          }
          break;
        case '\n':
          this.flush(this.i);
          this.endLine();
          this.i++;
          this.seg = this.i;
          if (this.pendingHeredocs.length > 0) this.readHeredocs();
          this.wordStart = true;
          break;
        case '<':
        case '>':
          if (s[this.i + 1] === '(') {
            this.i = this.substitution(this.i, this.i + 1, 'process', false);
            break;
          }
          if (c === '<' && s[this.i + 1] === '<' && s[this.i + 2] !== '<') {
            this.heredoc();
            break;
          }
          this.wordStart = true;
          this.i++;
          break;
        case ' ':
        case '\t':
        case '\r':
        case ';':
        case '&':
        case '|':
        case '(':
        case ')':
          this.wordStart = true;
          this.i++;
          break;
        default:
          if (this.wordStart && c >= '0' && c <= '9') {
            // `2>&1`, `1>/dev/null`: the file descriptor number is part of the redirection.
            let j = this.i;
            while (j < n && s[j] >= '0' && s[j] <= '9') j++;
            if (s[j] === '>' || s[j] === '<') {
              this.flush(this.i);
              this.i = j;
              this.seg = j;
              break;
            }
          }
          this.wordStart = false;
          this.i++;
      }
    }
    if (this.quote !== 0 && this.unterminated === undefined) {
      this.open(this.quote === SINGLE ? 'a single quote' : 'a double quote', this.quoteStart);
      // Close it so the tokenizer sees the same words the scan did.
      this.flush(n);
      this.seg = n;
      this.line += this.quote === SINGLE ? "'" : '"';
    }
    if (this.pendingHeredocs.length > 0 && this.unterminated === undefined) {
      this.open(`a here-document (delimiter ${this.pendingHeredocs[0].delimiter})`, n);
    }
    this.flush(n);
    this.endLine();
    return this.unterminated === undefined
      ? { lines: this.lines }
      : {
          lines: this.lines,
          unterminated: this.unterminated,
          unterminatedText: s.slice(this.unterminatedAt),
        };
  }

  private endLine() {
    if (this.line.trim() !== '') this.lines.push(this.line);
    this.line = '';
  }

  /** Replaces the expansion starting at `at` by a marker; returns the index after it. */
  private expansion(at: number, quoted: boolean): number {
    const s = this.s;
    const n = this.n;
    this.wordStart = false;
    if (s[at] === '`') {
      const end = findClose(s, at + 1, 'backtick');
      return this.emit(at, end, 'command', quoted, 'a backtick substitution');
    }
    const next = s[at + 1];
    if (next === '(')
      return this.substitution(at, at + 1, s[at + 2] === '(' ? 'arithmetic' : 'command', quoted);
    if (next === '{') {
      const end = findClose(s, at + 2, 'brace');
      return this.emit(at, end, 'param', quoted, 'a parameter expansion');
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = at + 2;
      while (j < n && NAME_CHAR.test(s[j])) j++;
      return this.emit(at, j - 1, 'param', quoted, '');
    }
    if (next !== undefined && ((next >= '0' && next <= '9') || SPECIAL.includes(next))) {
      return this.emit(at, at + 1, 'param', quoted, '');
    }
    // A lone `$` is literal; escape it so the tokenizer does not read a variable.
    this.flush(at);
    this.line += '\\$';
    this.seg = at + 1;
    return at + 1;
  }

  private substitution(
    at: number,
    paren: number,
    kind: 'command' | 'arithmetic' | 'process',
    quoted: boolean,
  ) {
    const s = this.s;
    this.wordStart = false;
    const end = findClose(s, paren + 1, 'paren');
    const what =
      kind === 'arithmetic'
        ? 'a $((…)) expression'
        : kind === 'process'
          ? 'a process substitution'
          : 'a $(…) substitution';
    let k = kind;
    if (kind === 'arithmetic' && end > 0 && s[end - 1] !== ')') k = 'command';
    return this.emit(at, end, k, quoted, what);
  }

  /** Emits a marker for s[at..end] (inclusive); end < 0 means not closed: take the rest. */
  private emit(at: number, end: number, kind: MarkerKind, quoted: boolean, what: string): number {
    const s = this.s;
    const n = this.n;
    this.flush(at);
    const last = end < 0 ? n - 1 : end;
    if (end < 0) this.open(what, at);
    this.line += this.markers.add({ kind, text: s.slice(at, last + 1), quoted });
    this.seg = last + 1;
    return last + 1;
  }

  /** `<<DELIM` or `<<-DELIM`: the body starts after the current this.line ends. */
  private heredoc() {
    const s = this.s;
    const n = this.n;
    this.flush(this.i);
    let j = this.i + 2;
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
    this.line += ` << ${this.markers.add(marker)} `;
    this.pendingHeredocs.push({ delimiter, stripTabs, marker });
    this.i = Math.min(j, n);
    this.seg = this.i;
    this.wordStart = true;
  }

  /** Reads the bodies of the here-documents of the this.line that just ended (this.i is at its start). */
  private readHeredocs() {
    const s = this.s;
    const n = this.n;
    while (this.pendingHeredocs.length > 0) {
      const doc = this.pendingHeredocs[0];
      const start = this.i;
      let found = false;
      while (this.i < n) {
        const nl = s.indexOf('\n', this.i);
        const end = nl < 0 ? n : nl;
        let text = s.slice(this.i, end);
        if (doc.stripTabs) text = text.replace(/^\t+/, '');
        if (text === doc.delimiter) {
          doc.marker.text = s.slice(start, this.i);
          this.i = nl < 0 ? n : nl + 1;
          found = true;
          break;
        }
        this.i = nl < 0 ? n : nl + 1;
      }
      if (!found) {
        doc.marker.text = s.slice(start);
        this.open(`a here-document (delimiter ${doc.delimiter})`, start);
        this.pendingHeredocs.length = 0;
        break;
      }
      this.pendingHeredocs.shift();
    }
    this.seg = this.i;
  }
}
