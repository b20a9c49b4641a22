/**
 * Printing hostile text safely. File names, container names, annotation values and messages quoting
 * them come from the repository or cluster being checked, and what oneproc prints lands in terminals and
 * CI logs that act on what they read:
 * - terminals obey C0 and C1 control characters (ESC sequences move the cursor and overwrite earlier
 *   lines; U+009B is an 8-bit CSI), and bidi controls reorder what is shown (CVE-2021-42574, "Trojan
 *   Source"), so a name can look like another;
 * - the GitHub Actions runner executes workflow commands found in a job's output: `::name …::data` at
 *   the start of a line after leading white space (`ActionCommand.TryParseV2`: `message.TrimStart()`,
 *   `StartsWith("::")`), and the legacy `##[name …]data` anywhere in a line (`ActionCommand.TryParse`:
 *   `message.IndexOf("##[")`), both tried for every line (`ActionCommandManager.TryProcessCommand`) —
 *   actions/runner, src/Runner.Common/ActionCommand.cs. A newline inside a container name would start
 *   such a line; `::stop-commands::` would silence the commands of every later step.
 * So text output shows those characters as visible escapes (`\n`, `\u001b`, `\u009b`, `\u202e`) and
 * defuses both command forms; JSON and SARIF keep their exact values through JSON's own `\u` escapes.
 */
import { Document, visit } from 'yaml';

/**
 * Controls (Cc: C0 U+0000–U+001F, DEL, C1 U+0080–U+009F), the line and paragraph separators, and the
 * bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) with the marks U+061C, U+200E, U+200F.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One field of a text line: every character that could act on a terminal or break the line, escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? unicodeEscape(char));
}

/**
 * One printed line (fields already `printable`), with workflow commands defused: a line that would
 * start with `::` after white space gets its first colon as `\u003a`, and `##[` becomes `##\u005b`.
 * oneproc's own words never contain either, so only hostile names are changed.
 */
export function defuseLine(line: string): string {
  return line.replace(/^(\s*):(?=:)/, '$1\\u003a').replaceAll('##[', '##\\u005b');
}

/** Every line of a block of text output, `printable` field by field already: defused. */
export function defuseLines(text: string): string {
  return text.split('\n').map(defuseLine).join('\n');
}

/** A line for standard error (an error or a note), built from hostile parts: printable and defused. */
export function safeLine(text: string): string {
  return defuseLine(printable(text));
}

/**
 * Text from `JSON.stringify`, which leaves DEL, C1 controls, U+2028/U+2029 and bidi controls raw, made
 * as safe to print as text output: those become `\u` escapes, and so does the `[` of `##[`. These
 * characters only ever occur inside JSON strings, so the document parses back to the same values.
 */
export function safeJson(json: string): string {
  return (
    json
      // C0 controls are escaped by JSON.stringify already; the newlines left are the layout's own.
      .replace(UNSAFE, (char) => (char < ' ' ? char : unicodeEscape(char)))
      .replaceAll('##[', '##\\u005b')
  );
}

/**
 * A value as YAML, as safe to print as text output and parsing back to the same value: every string
 * that holds a character `printable` would escape, a line break, `::` or `##[` is written double-quoted
 * (YAML 1.2 §7.3.1), where those characters become `\u` escapes; every other string is left as the
 * `yaml` package writes it. Keys and the layout are oneproc's own.
 */
export function safeYaml(value: unknown): string {
  const doc = new Document(value);
  const risky = (s: string) =>
    /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|::|##\[/u.test(s);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && risky(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc
    .toString({ lineWidth: 0, minContentWidth: 0 })
    .replace(UNSAFE, (char) => (char === '\n' ? char : unicodeEscape(char)))
    .replaceAll('##[', '##\\u005b');
}
