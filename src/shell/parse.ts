/**
 * The shell parser: text → a small syntax tree (lists, pipelines, groups, subshells, `if`, `case`,
 * loops, function definitions, simple commands with their assignments and redirections). It follows
 * the POSIX grammar (XCU 2.10) as dash implements it (src/parser.c `list`, `andor`, `pipeline`,
 * `command`, `simplecmd`; src/parser.c `readtoken1` for the lexical rules), with bash's `[[ … ]]`,
 * `function NAME` and `$'…'` read too.
 *
 * Linear in the input: the lexer reads every character once, and a `$(…)`, `${…}`, `$((…))` or
 * backtick substitution inside a word is found by one iterative scan (`findClose`) and kept as a
 * marker holding its text, parsed again only if the interpreter evaluates it (and then counted
 * against the work budget). So 5,000 nested `"$(` cost one scan, not a stack of 5,000 calls. Compound
 * commands nest at most `MAX_PARSE_DEPTH` deep; past that the parser stops with a limit.
 *
 * The lexer is pulled by the parser one token at a time and the parser returns one complete command
 * (a top-level line) at a time, as dash does: the interpreter runs it before the next is read, so a
 * syntax error stops the script where dash stops it, and a huge script costs no more than the commands
 * read before a limit.
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

/** One word of the script: quotes removed, every expansion replaced by a marker. */
export interface WordNode {
  readonly raw: string;
  /** Written without quotes, escapes or expansions: may be a reserved word. */
  readonly plain: boolean;
  /** The unquoted literal text it starts with (an assignment's `NAME=` must be there). */
  readonly lead: string;
  /** 1-based line where it starts. */
  readonly line: number;
  /** bash's `NAME=(a b c)` / `NAME+=(…)`: the word is `NAME=` (or `NAME+=`), these its items. */
  readonly items?: readonly WordNode[];
}

export interface Redirect {
  readonly op: string;
  readonly target: WordNode;
  /** For `<<` and `<<-`: the here-document's body. */
  readonly heredoc?: Marker;
}

export type Node =
  | {
      readonly type: 'simple';
      readonly words: readonly WordNode[];
      readonly redirects: readonly Redirect[];
      readonly line: number;
    }
  | {
      readonly type: 'pipeline';
      readonly commands: readonly Node[];
      readonly bang: boolean;
      readonly line: number;
    }
  | {
      readonly type: 'andor';
      readonly first: Node;
      readonly rest: readonly { readonly op: '&&' | '||'; readonly node: Node }[];
      readonly line: number;
    }
  | {
      readonly type: 'list';
      readonly items: readonly { readonly node: Node; readonly background: boolean }[];
      readonly line: number;
    }
  | { readonly type: 'group'; readonly body: Node; readonly line: number }
  | { readonly type: 'subshell'; readonly body: Node; readonly line: number }
  | {
      readonly type: 'if';
      readonly arms: readonly { readonly cond: Node; readonly body: Node }[];
      readonly otherwise?: Node;
      readonly line: number;
    }
  | {
      readonly type: 'loop';
      readonly until: boolean;
      readonly cond: Node;
      readonly body: Node;
      readonly line: number;
    }
  | {
      readonly type: 'for';
      readonly name: string;
      readonly items?: readonly WordNode[];
      readonly body: Node;
      readonly line: number;
    }
  | {
      readonly type: 'case';
      readonly subject: WordNode;
      readonly arms: readonly { readonly patterns: readonly WordNode[]; readonly body: Node }[];
      readonly line: number;
    }
  | { readonly type: 'function'; readonly name: string; readonly body: Node; readonly line: number };

/** Compound commands nested deeper than this are not read (dash's own parser recurses too). */
export const MAX_PARSE_DEPTH = 200;

/** Why the parser stopped: a syntax error, or a limit (nesting). */
export class ParseStop extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly limit = false,
  ) {
    super(message);
    this.name = 'ParseStop';
  }
}

type Token =
  /** `array`: the word is bash's `NAME=` or `NAME+=` right before `(`, which the lexer has read. */
  | { readonly kind: 'word'; readonly word: WordNode; readonly heredoc?: Marker; readonly array?: boolean }
  | { readonly kind: 'op'; readonly op: string; readonly line: number }
  | { readonly kind: 'nl'; readonly line: number }
  | { readonly kind: 'eof'; readonly line: number };

const PAREN = 0;
const BRACE = 1;
const DQUOTE = 2;
const BACKTICK = 3;

/**
 * Index of the character that closes the construct whose content starts at `from` (a `)` for
 * `$(`, `}` for `${`, `"`, or a backtick), skipping quotes, escapes and nested substitutions; -1
 * when it is not closed. Iterative with its own stack (one byte per open construct, grown by
 * doubling), so deep nesting can neither overflow the call stack nor cost an allocation each.
 */
export function findClose(s: string, from: number, initial: number): number {
  const n = s.length;
  let stack = new Uint8Array(16);
  stack[0] = initial;
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
      if (c === 39 /* ' */ && top !== BRACE) {
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
      else if (c === 35 /* # */ && top === PAREN && (j === from || /[\s;&|(]/.test(s[j - 1]))) {
        // A comment inside `$(…)` runs to the end of its line (a `)` there does not close).
        const k = s.indexOf('\n', j);
        if (k < 0) return -1;
        j = k;
      }
    }
    if (depth === 0) return j;
  }
  return -1;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL = '@*#?$!-';
/** Operators, longest first, as the lexer matches them. */
const OPERATORS = [
  ';;&',
  '&>>',
  '<<-',
  '<<<',
  '&&',
  '||',
  ';;',
  ';&',
  '|&',
  '&>',
  '>>',
  '<<',
  '<&',
  '>&',
  '<>',
  '>|',
  ';',
  '&',
  '|',
  '(',
  ')',
  '<',
  '>',
];
export const REDIRECTS = new Set(['<', '>', '>>', '<<', '<<-', '<<<', '<&', '>&', '<>', '>|', '&>', '&>>']);

/** The lexer: pulled one token at a time. */
class Lexer {
  private i = 0;
  private readonly n: number;
  private lineAt = 0;
  private lineNo = 1;
  private pendingHeredocs: Array<{ delimiter: string; stripTabs: boolean; marker: Marker }> = [];
  /** The next word is a here-document's delimiter. */
  private wantDelimiter: { stripTabs: boolean } | undefined;
  /** What was left open (a quote, a substitution, a here-document), once something was. */
  unterminated: string | undefined;
  unterminatedText = '';

  constructor(
    private readonly s: string,
    private readonly markers: MarkerTable,
    /** bash reads `$'…'` (ANSI-C) and `$"…"`; dash 0.5.12 (Debian 12) reads a `$` then a quote. */
    private readonly bash: boolean,
  ) {
    this.n = s.length;
  }

  /** The line of position `at` (positions only grow, so this is linear overall). */
  line(at: number): number {
    const s = this.s;
    for (let k = this.lineAt; k < at; k++) if (s.charCodeAt(k) === 10) this.lineNo++;
    if (at > this.lineAt) this.lineAt = at;
    return this.lineNo;
  }

  private open(what: string, at: number): void {
    if (this.unterminated !== undefined) return;
    this.unterminated = what;
    this.unterminatedText = this.s.slice(at);
  }

  next(): Token {
    const s = this.s;
    const n = this.n;
    // Blanks, comments and line continuations.
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else if (c === '\\' && s[this.i + 1] === '\n') this.i += 2;
      else if (c === '#') {
        const end = s.indexOf('\n', this.i);
        this.i = end < 0 ? n : end;
      } else break;
    }
    if (this.i >= n) {
      if (this.pendingHeredocs.length > 0)
        this.open(`a here-document (delimiter ${this.pendingHeredocs[0].delimiter})`, n);
      return { kind: 'eof', line: this.line(n) };
    }
    const c = s[this.i];
    const line = this.line(this.i);
    if (c === '\n') {
      this.i++;
      if (this.pendingHeredocs.length > 0) this.readHeredocs();
      return { kind: 'nl', line };
    }
    // `2>&1`: the descriptor number belongs to the redirection.
    if (c >= '0' && c <= '9') {
      let j = this.i;
      while (j < n && s[j] >= '0' && s[j] <= '9') j++;
      if ((s[j] === '>' || s[j] === '<') && s[j + 1] !== '(') this.i = j;
    }
    // bash's `{NAME}>file`, `exec {fd}<&-`: the shell picks the descriptor and stores it in NAME
    // (bash 4.1+, parse.y `read_token_word` REDIR_WORD); the name belongs to the redirection. dash
    // reads `{fd}` as a word.
    if (c === '{' && this.bash) {
      const m = /^\{[A-Za-z_][A-Za-z0-9_]*\}(?=[<>])/.exec(s.slice(this.i, this.i + 258));
      if (m && s[this.i + m[0].length + 1] !== '(') this.i += m[0].length;
    }
    const d = s[this.i];
    if (';&|()<>'.includes(d) && !((d === '<' || d === '>') && s[this.i + 1] === '(')) {
      for (const op of OPERATORS) {
        if (s.startsWith(op, this.i)) {
          this.i += op.length;
          if (op === '<<' || op === '<<-') this.wantDelimiter = { stripTabs: op === '<<-' };
          return { kind: 'op', op, line };
        }
      }
    }
    return this.word(line);
  }

  /** Reads one word from `this.i`. */
  private word(line: number): Token {
    const s = this.s;
    const n = this.n;
    const start = this.i;
    // (No closures here: this is the hottest loop of the project.)
    let raw = '';
    let plain = true;
    let lead = '';
    let leading = true;
    while (this.i < n) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ';' || c === '&' || c === '|') break;
      // bash's extended patterns (`shopt -s extglob`): `+([0-9])`, `@(web|api)`, `!(*.tmp)` are one
      // word, parentheses and `|` included (bash's parse.y reads them so once extglob is on).
      if (c === '(' && this.bash && raw !== '' && '?*+@!'.includes(raw[raw.length - 1])) {
        let depth = 0;
        let k = this.i;
        for (; k < n && k - this.i < 4096; k++) {
          if (s[k] === '(') depth++;
          else if (s[k] === ')' && --depth === 0) break;
          else if (s[k] === '\n') break;
        }
        if (depth === 0 && s[k] === ')') {
          raw += s.slice(this.i, k + 1);
          plain = leading = false;
          this.i = k + 1;
          continue;
        }
      }
      if (c === '(' || c === ')') break;
      if ((c === '<' || c === '>') && s[this.i + 1] !== '(') break;
      if (c === '\\') {
        if (s[this.i + 1] === '\n') {
          this.i += 2;
          continue;
        }
        raw += s[this.i + 1] ?? '';
        plain = leading = false;
        this.i += 2;
        continue;
      }
      if (c === "'") {
        const k = s.indexOf("'", this.i + 1);
        if (k < 0) {
          this.open('a single quote', this.i);
          raw += s.slice(this.i + 1);
          plain = leading = false;
          this.i = n;
          break;
        }
        raw += s.slice(this.i + 1, k);
        plain = leading = false;
        this.i = k + 1;
        continue;
      }
      if (c === '"' || (c === '$' && s[this.i + 1] === '"' && this.bash)) {
        if (c === '$') this.i++;
        const start = this.i;
        this.i++;
        plain = false;
        leading = false;
        let closed = false;
        while (this.i < n) {
          const q = s[this.i];
          if (q === '"') {
            this.i++;
            closed = true;
            break;
          }
          if (q === '\\') {
            const e = s[this.i + 1];
            if (e === '\n') this.i += 2;
            else if (e === '$' || e === '`' || e === '"' || e === '\\') {
              raw += e;
              this.i += 2;
            } else {
              raw += '\\';
              this.i++;
            }
            continue;
          }
          if (q === '$' || q === '`') {
            const m = this.expansion(true);
            if (m === undefined) {
              raw += q;
              this.i++;
            } else raw += m;
            continue;
          }
          raw += q;
          this.i++;
        }
        if (!closed) this.open('a double quote', start);
        continue;
      }
      if (c === '$' && s[this.i + 1] === "'" && this.bash) {
        // ANSI-C quoting (bash, and dash 0.5.12 and later): backslash escapes decoded.
        let j = this.i + 2;
        let text = '';
        while (j < n && s[j] !== "'") {
          if (s[j] === '\\' && j + 1 < n) {
            const e = s[j + 1];
            text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'e' ? '\x1b' : e;
            j += 2;
          } else text += s[j++];
        }
        if (j >= n) this.open("a $'…' string", this.i);
        raw += text;
        plain = leading = false;
        this.i = Math.min(j + 1, n);
        continue;
      }
      if (c === '$' || c === '`' || c === '<' || c === '>') {
        const m = this.expansion(false);
        if (m !== undefined) {
          raw += m;
          plain = leading = false;
          continue;
        }
        raw += c;
        if (leading) lead += c;
        this.i++;
        continue;
      }
      if (c === '\uE000') {
        // A Kubernetes marker placed by the caller passes through.
        const k = s.indexOf('\uE001', this.i);
        const end = k < 0 ? n : k + 1;
        raw += s.slice(this.i, end);
        this.i = end;
        plain = leading = false;
        continue;
      }
      raw += c;
      if (leading) lead += c;
      this.i++;
    }
    // Nothing read (no character that reaches here does that): never loop on it.
    if (this.i === start) this.i++;
    const word: WordNode = { raw, plain, lead, line };
    if (this.wantDelimiter) {
      const marker: Marker = { kind: 'heredoc', text: '', quoted: true };
      this.pendingHeredocs.push({ delimiter: raw, stripTabs: this.wantDelimiter.stripTabs, marker });
      this.wantDelimiter = undefined;
      return { kind: 'word', word, heredoc: marker };
    }
    // bash's array assignment `NAME=(…)` (parse.y: a compound assignment): the `(` is its own.
    if (this.bash && s[this.i] === '(' && plain && /^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(raw)) {
      this.i++;
      return { kind: 'word', word, array: true };
    }
    return { kind: 'word', word };
  }

  /**
   * Reads the expansion at `this.i` (`$…`, a backtick, `<(`/`>(`) into a marker; undefined for a
   * `$` that starts none (a literal dollar sign).
   */
  private expansion(quoted: boolean): string | undefined {
    const s = this.s;
    const at = this.i;
    const c = s[at];
    const next = s[at + 1];
    let end: number;
    let kind: MarkerKind;
    let what: string;
    if (c === '`') {
      end = findClose(s, at + 1, BACKTICK);
      kind = 'command';
      what = 'a backtick substitution';
    } else if (c === '<' || c === '>') {
      end = findClose(s, at + 2, PAREN);
      kind = 'process';
      what = 'a process substitution';
    } else if (next === '(') {
      end = findClose(s, at + 2, PAREN);
      const arith = s[at + 2] === '(' && end > 0 && s[end - 1] === ')';
      kind = arith ? 'arithmetic' : 'command';
      what = s[at + 2] === '(' ? 'a $((…)) expression' : 'a $(…) substitution';
    } else if (next === '{') {
      end = findClose(s, at + 2, BRACE);
      kind = 'param';
      what = 'a parameter expansion';
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = at + 2;
      while (j < this.n && NAME_CHAR.test(s[j])) j++;
      end = j - 1;
      kind = 'param';
      what = '';
    } else if (next !== undefined && ((next >= '0' && next <= '9') || SPECIAL.includes(next))) {
      end = at + 1;
      kind = 'param';
      what = '';
    } else return undefined;
    if (end < 0) {
      this.open(what, at);
      end = this.n - 1;
    }
    this.i = end + 1;
    return this.markers.add({ kind, text: s.slice(at, end + 1), quoted });
  }

  /** Reads the bodies of the here-documents of the line that just ended (`this.i` is at its start). */
  private readHeredocs(): void {
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
        this.pendingHeredocs = [];
        break;
      }
      this.pendingHeredocs.shift();
    }
  }
}

const RESERVED = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}', 'in']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A parser over one script. `next()` returns its next complete command (undefined at the end), and
 * throws `ParseStop` on a syntax error or past the nesting limit.
 */
export class Parser {
  private readonly lexer: Lexer;
  private peeked: Token | undefined;
  private depth = 0;

  constructor(text: string, markers: MarkerTable, bash = true) {
    this.lexer = new Lexer(text, markers, bash);
  }

  /** Set when a quote, substitution or here-document is not closed: what was left open. */
  get unterminated(): string | undefined {
    return this.lexer.unterminated;
  }
  /** The text from the unterminated construct to the end of the script. */
  get unterminatedText(): string {
    return this.lexer.unterminatedText;
  }

  private peek(): Token {
    this.peeked ??= this.lexer.next();
    return this.peeked;
  }
  private take(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }
  private lineOf(t: Token): number {
    return t.kind === 'word' ? t.word.line : t.line;
  }
  private fail(message: string, t: Token = this.peek()): never {
    throw new ParseStop(message, this.lineOf(t));
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.op === op;
  }
  /** The reserved word at the current token, when it is one (plain, in command position). */
  private reserved(): string | undefined {
    const t = this.peek();
    return t.kind === 'word' && t.word.plain ? t.word.raw : undefined;
  }
  private expectWord(word: string): void {
    if (this.reserved() !== word) this.fail(`\`${word}\` expected`);
    this.take();
  }
  private newlines(): void {
    while (this.peek().kind === 'nl') this.take();
  }
  private enter(): void {
    if (++this.depth > MAX_PARSE_DEPTH)
      throw new ParseStop(
        `commands nested more than ${MAX_PARSE_DEPTH} deep, oneproc's limit`,
        this.lineOf(this.peek()),
        true,
      );
  }

  /** The next complete command of the script (a line of and-or lists), or undefined at its end. */
  next(): Node | undefined {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return undefined;
      if (t.kind === 'nl') {
        this.take();
        continue;
      }
      break;
    }
    const line = this.lineOf(this.peek());
    const items: { node: Node; background: boolean }[] = [];
    for (;;) {
      const node = this.andOr();
      let background = false;
      if (this.isOp('&') || this.isOp(';')) {
        background = (this.take() as { op: string }).op === '&';
      }
      const separated = this.peeked === undefined;
      items.push({ node, background });
      const t = this.peek();
      if (t.kind === 'nl' || t.kind === 'eof') break;
      if (!separated || !this.startsCommand()) this.fail(`unexpected ${this.describe(t)}`);
    }
    return items.length === 1 && !items[0].background ? items[0].node : { type: 'list', items, line };
  }

  private startsCommand(): boolean {
    const t = this.peek();
    if (t.kind === 'word') return true;
    return t.kind === 'op' && (t.op === '(' || REDIRECTS.has(t.op));
  }

  private describe(t: Token): string {
    if (t.kind === 'word') return `word \`${t.word.raw.slice(0, 40)}\``;
    if (t.kind === 'op') return `\`${t.op}\``;
    return t.kind === 'nl' ? 'end of line' : 'end of script';
  }

  /** A compound list: and-or lists up to one of `stops` (a reserved word or `)`/`;;`). */
  private compoundList(stops: readonly string[]): Node {
    this.newlines();
    const line = this.lineOf(this.peek());
    const items: { node: Node; background: boolean }[] = [];
    for (;;) {
      const word = this.reserved();
      if (word !== undefined && stops.includes(word)) break;
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'op' && (t.op === ')' || t.op === ';;' || t.op === ';&' || t.op === ';;&')) break;
      const node = this.andOr();
      let background = false;
      if (this.isOp('&') || this.isOp(';')) background = (this.take() as { op: string }).op === '&';
      else if (this.peek().kind !== 'nl') {
        items.push({ node, background });
        break;
      }
      items.push({ node, background });
      this.newlines();
    }
    if (items.length === 0) this.fail(`a command expected before ${this.describe(this.peek())}`);
    return items.length === 1 && !items[0].background ? items[0].node : { type: 'list', items, line };
  }

  private andOr(): Node {
    const first = this.pipeline();
    const rest: { op: '&&' | '||'; node: Node }[] = [];
    while (this.isOp('&&') || this.isOp('||')) {
      const op = (this.take() as { op: '&&' | '||' }).op;
      this.newlines();
      rest.push({ op, node: this.pipeline() });
    }
    return rest.length === 0 ? first : { type: 'andor', first, rest, line: first.line };
  }

  private pipeline(): Node {
    let bang = false;
    const line = this.lineOf(this.peek());
    if (this.reserved() === '!') {
      this.take();
      bang = true;
    }
    const commands = [this.command()];
    while (this.isOp('|') || this.isOp('|&')) {
      this.take();
      this.newlines();
      commands.push(this.command());
    }
    return commands.length === 1 && !bang ? commands[0] : { type: 'pipeline', commands, bang, line };
  }

  private command(): Node {
    this.enter();
    try {
      const t = this.peek();
      const line = this.lineOf(t);
      if (t.kind === 'op' && t.op === '(') {
        this.take();
        const body = this.compoundList([]);
        if (!this.isOp(')')) this.fail('`)` expected');
        this.take();
        return this.trailing({ type: 'subshell', body, line });
      }
      const word = this.reserved();
      switch (word) {
        case '{': {
          this.take();
          const body = this.compoundList(['}']);
          this.expectWord('}');
          return this.trailing({ type: 'group', body, line });
        }
        case 'if':
          return this.trailing(this.ifClause(line));
        case 'while':
        case 'until': {
          this.take();
          const cond = this.compoundList(['do']);
          this.expectWord('do');
          const body = this.compoundList(['done']);
          this.expectWord('done');
          return this.trailing({ type: 'loop', until: word === 'until', cond, body, line });
        }
        case 'for':
          return this.trailing(this.forClause(line));
        case 'case':
          return this.trailing(this.caseClause(line));
        case 'function': {
          this.take();
          const name = this.take();
          if (name.kind !== 'word') this.fail('a function name expected', name);
          if (this.isOp('(')) {
            this.take();
            if (!this.isOp(')')) this.fail('`)` expected');
            this.take();
          }
          this.newlines();
          return { type: 'function', name: name.word.raw, body: this.command(), line };
        }
        default:
          if (word !== undefined && RESERVED.has(word)) this.fail(`unexpected \`${word}\``);
      }
      return this.simple();
    } finally {
      this.depth--;
    }
  }

  /** Redirections after a compound command: read and dropped (they never change what runs). */
  private trailing(node: Node): Node {
    while (this.peek().kind === 'op' && REDIRECTS.has((this.peek() as { op: string }).op)) {
      this.take();
      if (this.peek().kind === 'word') this.take();
    }
    return node;
  }

  private ifClause(line: number): Node {
    this.take();
    const arms: { cond: Node; body: Node }[] = [];
    let otherwise: Node | undefined;
    for (;;) {
      const cond = this.compoundList(['then']);
      this.expectWord('then');
      const body = this.compoundList(['elif', 'else', 'fi']);
      arms.push({ cond, body });
      const w = this.reserved();
      if (w === 'elif') {
        this.take();
        continue;
      }
      if (w === 'else') {
        this.take();
        otherwise = this.compoundList(['fi']);
      }
      this.expectWord('fi');
      break;
    }
    return otherwise ? { type: 'if', arms, otherwise, line } : { type: 'if', arms, line };
  }

  private forClause(line: number): Node {
    this.take();
    const name = this.take();
    if (name.kind !== 'word' || !NAME.test(name.word.raw))
      this.fail('a variable name expected after `for`', name);
    let items: WordNode[] | undefined;
    this.newlines();
    if (this.reserved() === 'in') {
      this.take();
      items = [];
      while (this.peek().kind === 'word') items.push((this.take() as { word: WordNode }).word);
    }
    if (this.isOp(';')) this.take();
    this.newlines();
    this.expectWord('do');
    const body = this.compoundList(['done']);
    this.expectWord('done');
    return items
      ? { type: 'for', name: name.word.raw, items, body, line }
      : { type: 'for', name: name.word.raw, body, line };
  }

  private caseClause(line: number): Node {
    this.take();
    const subject = this.take();
    if (subject.kind !== 'word') this.fail('a word expected after `case`', subject);
    this.newlines();
    this.expectWord('in');
    const arms: { patterns: WordNode[]; body: Node }[] = [];
    for (;;) {
      this.newlines();
      if (this.reserved() === 'esac') {
        this.take();
        break;
      }
      if (this.isOp('(')) this.take();
      const patterns: WordNode[] = [];
      for (;;) {
        const p = this.take();
        if (p.kind !== 'word') this.fail('a pattern expected', p);
        patterns.push(p.word);
        if (this.isOp('|')) {
          this.take();
          continue;
        }
        break;
      }
      if (!this.isOp(')')) this.fail('`)` expected after a case pattern');
      this.take();
      this.newlines();
      const t = this.peek();
      const empty =
        (t.kind === 'op' && (t.op === ';;' || t.op === ';&' || t.op === ';;&')) || this.reserved() === 'esac';
      const body: Node = empty
        ? { type: 'list', items: [], line: this.lineOf(t) }
        : this.compoundList(['esac']);
      arms.push({ patterns, body });
      if (this.isOp(';;') || this.isOp(';&') || this.isOp(';;&')) {
        this.take();
        continue;
      }
      this.newlines();
      this.expectWord('esac');
      break;
    }
    return { type: 'case', subject: subject.word, arms, line };
  }

  private simple(): Node {
    const words: WordNode[] = [];
    const redirects: Redirect[] = [];
    const line = this.lineOf(this.peek());
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word' && t.array) {
        this.take();
        // The items, over lines, up to `)`: words only (comments are skipped by the lexer).
        const items: WordNode[] = [];
        for (;;) {
          const u = this.take();
          if (u.kind === 'nl') continue;
          if (u.kind === 'op' && u.op === ')') break;
          if (u.kind !== 'word' || u.array) this.fail('`)` expected to end the array assignment', u);
          items.push(u.word);
        }
        words.push({ ...t.word, items });
        continue;
      }
      if (t.kind === 'word') {
        this.take();
        // `NAME() body`: a function definition.
        if (words.length === 0 && this.isOp('(') && NAME.test(t.word.raw) && t.word.plain) {
          this.take();
          if (!this.isOp(')')) this.fail('`)` expected in a function definition');
          this.take();
          this.newlines();
          return { type: 'function', name: t.word.raw, body: this.command(), line };
        }
        words.push(t.word);
        // bash's `[[ … ]]`: operators inside are words of the test.
        if (words.length === 1 && t.word.plain && t.word.raw === '[[') {
          for (;;) {
            const u = this.peek();
            if (u.kind === 'eof' || u.kind === 'nl') this.fail('`]]` expected', u);
            this.take();
            if (u.kind === 'word') {
              words.push(u.word);
              if (u.word.plain && u.word.raw === ']]') break;
            } else if (u.kind === 'op') {
              words.push({ raw: u.op, plain: true, lead: u.op, line: u.line });
            }
          }
        }
        continue;
      }
      if (t.kind === 'op' && REDIRECTS.has(t.op)) {
        this.take();
        const target = this.take();
        if (target.kind !== 'word') this.fail(`a file expected after \`${t.op}\``, target);
        redirects.push(
          target.heredoc
            ? { op: t.op, target: target.word, heredoc: target.heredoc }
            : { op: t.op, target: target.word },
        );
        continue;
      }
      break;
    }
    if (words.length === 0 && redirects.length === 0) this.fail(`unexpected ${this.describe(this.peek())}`);
    return { type: 'simple', words, redirects, line };
  }
}
