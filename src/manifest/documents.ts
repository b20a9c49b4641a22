/**
 * A YAML stream cut into its documents by looking at the text alone, before any parser runs: to weigh
 * each document (a parser's memory grows with the nodes it builds, so a huge document is refused before
 * it is parsed) and to find the documents that are templates rather than YAML. Pure: no IO.
 *
 * The cut is exact: YAML 1.2.2 §9.1.4 (`c-forbidden`) forbids a line that starts with `---` or `...`
 * followed by white space or its end inside any scalar, so such a line always ends a document, even in
 * a block or quoted scalar (https://yaml.org/spec/1.2.2/#rule-c-forbidden).
 */

/** One document's text, as offsets into the stream. */
export interface DocumentSpan {
  /** Offset of its first character (a `---` marker when it has one). */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
  /** 1-based line of `start`. */
  readonly line: number;
  /** Whether it opens with a `---` marker line. */
  readonly marked: boolean;
}

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/;

/** The documents of a YAML stream, in order; text before the first `---` is the first document. */
export function splitDocuments(text: string): DocumentSpan[] {
  const spans: DocumentSpan[] = [];
  let start = 0;
  let startLine = 1;
  let marked = false;
  let line = 1;
  for (let at = 0; at <= text.length; line++) {
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline + 1;
    const match = MARKER.exec(text.slice(at, Math.min(end, at + 4)));
    if (match) {
      if (match[0] === '---') {
        // A new document starts at this line.
        if (at > start) spans.push({ start, end: at, line: startLine, marked });
        start = at;
        startLine = line;
        marked = true;
      } else {
        // `...` ends the document; whatever follows starts the next one.
        spans.push({ start, end, line: startLine, marked });
        start = end;
        startLine = line + 1;
        marked = false;
      }
    }
    if (newline < 0) break;
    at = end;
  }
  if (text.length > start) spans.push({ start, end: text.length, line: startLine, marked });
  return spans;
}

/**
 * How many nodes a YAML parser would build for `text[start, end)`, at least roughly: one per line
 * (block entries and pairs), per `,` (flow entries), per `:` (pairs), per `[` and `{` (collections) and
 * per `- ` and `? ` (nested block entries on one line). Scalars that hold such characters make it
 * overcount, never undercount by much; measured with eemeli/yaml 2.x, parsing costs at most about
 * 1 KB of memory per unit counted here, whatever the shape of the document.
 */
export function estimateNodes(text: string, start = 0, end = text.length): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44 || c === 58 || c === 91 || c === 123) count++;
    else if ((c === 45 || c === 63) && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 10))
      count++;
  }
  return count;
}

/** A document that holds a template expression outside comments. */
export interface TemplateSpan extends DocumentSpan {
  /** 1-based line of the first `{{`. */
  readonly template: number;
}

/**
 * The documents that are templates (Helm, Go, Jinja…), not YAML: `{{ … }}` outside YAML comments.
 * GitHub Actions' `${{ … }}` expressions are not templates of the file (their files are plain YAML).
 * A comment starts at a `#` at the start of a line or after white space, outside quotes (YAML 1.2.2
 * §6.6, `c-nb-comment-text` after `s-separate-in-line`); a `#` inside a block scalar is text, but it
 * is read as a comment here, which only keeps a plain-YAML document from being taken for a template.
 */
export function templateDocuments(text: string): TemplateSpan[] {
  const out: TemplateSpan[] = [];
  if (!text.includes('{{')) return out;
  for (const span of splitDocuments(text)) {
    const template = templateLine(text.slice(span.start, span.end));
    if (template !== undefined) out.push({ ...span, template: span.line + template - 1 });
  }
  return out;
}

/** 1-based line (within `doc`) where a `{{ … }}` outside comments starts, if any. */
function templateLine(doc: string): number | undefined {
  if (!doc.includes('{{')) return undefined;
  const code = doc.split('\n').map(withoutComment).join('\n');
  const match = /(?<!\$)\{\{[\s\S]*?\}\}/.exec(code);
  if (!match) return undefined;
  let line = 1;
  for (let i = code.indexOf('\n'); i >= 0 && i < match.index; i = code.indexOf('\n', i + 1)) line++;
  return line;
}

/** A line without its comment; quotes on the line are respected. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = undefined;
    } else if (quote === "'") {
      if (c === "'") quote = undefined; // '' is an escaped quote: it closes and reopens
    } else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
      return line.slice(0, i);
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(line[i - 1]))) {
      quote = c;
    }
  }
  return line;
}

/** A text without some of its documents, and the way back to the original's offsets and lines. */
export interface Excision {
  /** The text with each removed document replaced by an empty one (`---`), so indexes do not move. */
  readonly source: string;
  /** The offset in the original text of an offset in `source` outside the placeholders. */
  originalOffset(offset: number): number;
  /** How many lines were removed before an offset of `source` (columns do not change: documents are whole lines). */
  linesBefore(offset: number): number;
}

/**
 * `text` without the given documents: for a parser, each is an empty document of one line, so that no
 * memory or time goes to documents that are not read (blank lines cost a YAML parser as much as nodes),
 * while positions found in `source` map back to the original lines.
 */
export function removeDocuments(text: string, spans: readonly DocumentSpan[]): Excision {
  const parts: string[] = [];
  const ends: number[] = []; // offsets in `source` where each placeholder ends
  const chars: number[] = []; // characters removed up to there
  const lines: number[] = []; // lines removed up to there
  let at = 0;
  let length = 0;
  let removedChars = 0;
  let removedLines = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const before = text.slice(at, span.start);
    parts.push(before);
    length += before.length;
    const placeholder = placeholderOf(text, span);
    parts.push(placeholder);
    length += placeholder.length;
    removedChars += span.end - span.start - placeholder.length;
    removedLines +=
      countNewlines(text, span.start, span.end) - countNewlines(placeholder, 0, placeholder.length);
    ends.push(length);
    chars.push(removedChars);
    lines.push(removedLines);
    at = span.end;
  }
  parts.push(text.slice(at));
  /** The index of the last placeholder ending at or before `offset`, or -1. */
  const last = (offset: number) => {
    let lo = 0;
    let hi = ends.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  return {
    source: spans.length === 0 ? text : parts.join(''),
    originalOffset: (offset) => {
      const i = last(offset);
      return i < 0 ? offset : offset + chars[i];
    },
    linesBefore: (offset) => {
      const i = last(offset);
      return i < 0 ? 0 : lines[i];
    },
  };
}

/** `---`, keeping a closing `...` line and the final newline of the document. */
function placeholderOf(text: string, span: DocumentSpan): string {
  const newline = text[span.end - 1] === '\n';
  const bodyEnd = newline ? span.end - 1 : span.end;
  const lastLine = text.lastIndexOf('\n', bodyEnd - 1) + 1;
  if (lastLine > span.start && text.startsWith('...', lastLine))
    return `---\n${text.slice(lastLine, span.end)}`;
  return newline ? '---\n' : '---';
}

function countNewlines(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', start); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * `text` with the given documents emptied: each keeps its place in the stream (an empty document
 * still counts, so later documents keep their index) and its lines (so later lines keep their
 * numbers), and no parser ever reads its content.
 */
export function blankDocuments(text: string, spans: readonly DocumentSpan[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    parts.push(text.slice(at, span.start));
    const placeholder = placeholderOf(text, span);
    const missing =
      countNewlines(text, span.start, span.end) - countNewlines(placeholder, 0, placeholder.length);
    // The blank lines go after `---`, before a closing `...`.
    parts.push(`---${'\n'.repeat(missing)}${placeholder.slice(3)}`);
    at = span.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
