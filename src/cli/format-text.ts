/**
 * `oneproc check --format text`: for a person at a terminal. One heading line per finding in the
 * `file:line:col` form editors and terminals make clickable, the message under it, a summary at the end.
 * Every field can come from the input, so each is `printable` (controls shown as escapes) and each line
 * defused of CI workflow commands (src/cli/escape.ts); only oneproc's own colours reach the terminal.
 */
import type { Finding, Note } from '../types';
import { defuseLine, defuseLines, printable } from './escape';
import type { CheckSummary } from './format-json';

export interface TextOptions {
  /** ANSI colours: only on a TTY and never when NO_COLOR is set (https://no-color.org). */
  readonly color: boolean;
  /** With `--strict`, warnings fail the check too; the summary says so. */
  readonly strict: boolean;
  /** Files or documents that could not be read. */
  readonly inputErrors: number;
  /** What could not be followed; listed after the findings, never failing the check. */
  readonly notes?: readonly Note[];
}

const ANSI = { red: 31, yellow: 33, cyan: 36, green: 32, bold: 1, dim: 2 } as const;

export function formatText(
  findings: readonly Finding[],
  checked: CheckSummary,
  options: TextOptions,
): string {
  const paint = (style: keyof typeof ANSI, text: string) =>
    options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
  const out: string[] = [];
  for (const f of findings) {
    const o = f.origin;
    const where = printable(
      o.file
        ? `${o.file}${o.line === undefined ? '' : `:${o.line}${o.column === undefined ? '' : `:${o.column}`}`}`
        : f.path,
    );
    const level = f.exempted
      ? paint('cyan', 'exempted')
      : f.severity === 'error'
        ? paint('red', 'error')
        : paint('yellow', 'warning');
    const heading = [
      paint('bold', where),
      level,
      printable(f.rule),
      objectOf(o),
      o.container ? `container ${printable(o.container)}` : '',
    ]
      .filter((s) => s)
      .join('  ');
    out.push(heading);
    out.push(`  ${printable(f.message)}`);
    // A Kubernetes field is worth naming; a `file:line` path is already the heading.
    if (o.file && !/^[^[\]]+:\d+$/.test(f.path)) out.push(paint('dim', `  field: ${printable(f.path)}`));
    if (o.chain && o.chain.length > 1) {
      out.push(paint('dim', `  via: ${o.chain.map(printable).join(' → ')}`));
    }
    if (f.exempted) {
      const until = f.exempted.until ? ` until ${printable(f.exempted.until)}` : '';
      out.push(paint('cyan', `  Exempted${until}: ${printable(f.exempted.reason)}`));
    }
    out.push('');
  }
  for (const n of options.notes ?? []) {
    const where = n.file ? printable(`${n.file}${n.line === undefined ? '' : `:${n.line}`}`) : '';
    const heading = [
      paint('bold', where),
      paint('dim', 'note'),
      objectOf(n),
      n.container ? `container ${printable(n.container)}` : '',
    ]
      .filter((s) => s)
      .join('  ');
    out.push(heading);
    out.push(`  ${printable(n.message)}`);
    out.push('');
  }
  out.push(summary(findings, checked, options, paint));
  return `${defuseLines(out.join('\n'))}\n`;
}

/** One line for a note, as printed on standard error beside a JSON or SARIF report: printable, defused. */
export function noteText(n: Note): string {
  const where = n.file ? `${printable(n.file)}${n.line === undefined ? '' : `:${n.line}`}: ` : '';
  const object = objectOf(n);
  const container = n.container ? ` container ${printable(n.container)}` : '';
  return defuseLine(
    `${where}${printable(n.message)}${object || container ? ` (${object}${container})` : ''}`,
  );
}

/** `Deployment shop/web`, printable. */
function objectOf(o: { kind?: string; namespace?: string; name?: string }): string {
  const text = [o.kind, [o.namespace, o.name].filter((s) => s !== undefined).join('/')]
    .filter((s) => s)
    .join(' ');
  return printable(text);
}

function summary(
  findings: readonly Finding[],
  checked: CheckSummary,
  options: TextOptions,
  paint: (style: keyof typeof ANSI, text: string) => string,
): string {
  const active = findings.filter((f) => !f.exempted);
  const errors = active.filter((f) => f.severity === 'error').length;
  const warnings = active.length - errors;
  const exempted = findings.length - active.length;
  // Manifests' documents and containers, and the images and compose services or Procfile processes
  // read on their own: each part said when there is one (a Dockerfile alone is "1 image checked").
  const counted = [
    ...(checked.documents > 0 || (!checked.images && !checked.services)
      ? [plural(checked.documents, 'document'), plural(checked.containers, 'container')]
      : []),
    ...(checked.images ? [plural(checked.images, 'image')] : []),
    ...(checked.services ? [plural(checked.services, 'service')] : []),
  ];
  const scope = `${counted.join(', ')} checked`;
  const parts = [plural(errors, 'error'), plural(warnings, 'warning')];
  if (exempted > 0) parts.push(`${exempted} exempted`);
  const notes = options.notes?.length ?? 0;
  if (notes > 0) parts.push(`${plural(notes, 'note')} on what was not followed`);
  if (options.inputErrors > 0) parts.push(`${plural(options.inputErrors, 'unreadable input')} (see above)`);
  const failing = errors > 0 || (options.strict && warnings > 0) || options.inputErrors > 0;
  const strict = options.strict && warnings > 0 ? ' (--strict: warnings fail the check)' : '';
  // A run that followed nothing says so: "0 errors" there is not "checked and fine". (Documents without
  // a container say "0 containers" themselves; an unreadable input says why above.)
  const nothing =
    checked.documents === 0 &&
    checked.containers + (checked.images ?? 0) + (checked.services ?? 0) === 0 &&
    options.inputErrors === 0;
  const line = nothing
    ? `${parts.join(', ')}: nothing was checked — no container, image, compose service or Procfile process could be followed${strict}`
    : `${parts.join(', ')} in ${scope}${strict}`;
  return failing ? paint('red', line) : paint('green', line);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
