/**
 * Edits as source ranges: a file's text is changed only inside the spans an edit names, so every byte
 * outside them stays as it was (comments, quoting, key order, blank lines). Unified diffs are made from
 * the edits themselves, not by comparing whole files. Pure: no IO.
 */
import { lineOf, lineStarts } from '../manifest/lines';

export { lineOf, lineStarts };

/** Replace `text.slice(start, end)` with `text` (an insertion when start === end). Offsets in UTF-16 units. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The edits in offset order, without overlaps: an edit that overlaps one kept before it is dropped
 * (and returned), an exact duplicate is dropped silently; insertions at one offset keep their order.
 */
export function orderEdits(edits: readonly TextEdit[]): { kept: TextEdit[]; dropped: TextEdit[] } {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.i - b.i);
  const kept: TextEdit[] = [];
  const dropped: TextEdit[] = [];
  for (const { e } of sorted) {
    // Kept edits are in offset order: an exact duplicate can only be among the last ones at this offset.
    let duplicate = false;
    for (let i = kept.length - 1; i >= 0 && kept[i].start === e.start; i--) {
      if (kept[i].end === e.end && kept[i].text === e.text) duplicate = true;
    }
    if (duplicate) continue;
    const last = kept[kept.length - 1];
    if (last && (e.start < last.end || (e.start === last.start && last.end > last.start))) dropped.push(e);
    else kept.push(e);
  }
  return { kept, dropped };
}

/** The text with the edits applied (they must not overlap: see `orderEdits`). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const { kept } = orderEdits(edits);
  let out = '';
  let at = 0;
  for (const e of kept) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** A 1-based line and column (UTF-16 units, as SARIF's default `columnKind`). */
export interface Region {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** The region an edit replaces, for SARIF `replacements`. */
export function regionOf(starts: readonly number[], edit: TextEdit): Region {
  const a = lineOf(starts, edit.start);
  const b = lineOf(starts, edit.end);
  return {
    startLine: a + 1,
    startColumn: edit.start - starts[a] + 1,
    endLine: b + 1,
    endColumn: edit.end - starts[b] + 1,
  };
}

const CONTEXT = 3;

/**
 * A unified diff (`diff -u`, as `git apply` and `patch -p0` read it) of the edits to one file, with
 * three lines of context. Empty when the edits change nothing.
 */
export function unifiedDiff(name: string, text: string, edits: readonly TextEdit[]): string {
  const { kept } = orderEdits(edits);
  const changes = kept.filter((e) => text.slice(e.start, e.end) !== e.text);
  if (changes.length === 0) return '';
  const starts = lineStarts(text);
  const lines = splitLines(text);
  // Each edit → the whole lines it touches; edits touching the same or adjacent lines form one block.
  interface Block {
    first: number; // 0-based first old line
    last: number; // 0-based last old line (inclusive)
    edits: TextEdit[];
  }
  const blocks: Block[] = [];
  for (const e of changes) {
    const first = lineOf(starts, e.start);
    // An edit ending exactly at a line start does not touch that line (unless it is empty).
    const endLine = e.end > e.start ? lineOf(starts, e.end - 1) : lineOf(starts, e.end);
    const last = Math.max(first, endLine);
    const prev = blocks[blocks.length - 1];
    if (prev && first <= prev.last + 1) {
      prev.last = Math.max(prev.last, last);
      prev.edits.push(e);
    } else blocks.push({ first, last, edits: [e] });
  }
  const newLinesOf = (b: Block): Line[] => {
    const from = starts[b.first];
    const to = b.last + 1 < starts.length ? starts[b.last + 1] : text.length;
    let chunk = '';
    let at = from;
    for (const e of b.edits) {
      chunk += text.slice(at, e.start) + e.text;
      at = e.end;
    }
    chunk += text.slice(at, to);
    return splitLines(chunk);
  };
  // Blocks whose context overlaps form one hunk.
  const hunks: Block[][] = [];
  for (const b of blocks) {
    const prev = hunks[hunks.length - 1];
    if (prev && b.first - prev[prev.length - 1].last - 1 <= 2 * CONTEXT) prev.push(b);
    else hunks.push([b]);
  }
  let out = `--- ${name}\n+++ ${name}\n`;
  let shift = 0; // new line number − old line number before the current hunk
  for (const hunk of hunks) {
    const from = Math.max(0, hunk[0].first - CONTEXT);
    const to = Math.min(lines.length - 1, hunk[hunk.length - 1].last + CONTEXT);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let at = from;
    for (const b of hunk) {
      for (; at < b.first; at++, oldCount++, newCount++) body.push(...diffLine(' ', lines[at]));
      for (let i = b.first; i <= b.last; i++, oldCount++) body.push(...diffLine('-', lines[i]));
      const added = newLinesOf(b);
      for (const l of added) body.push(...diffLine('+', l));
      newCount += added.length;
      at = b.last + 1;
    }
    for (; at <= to; at++, oldCount++, newCount++) body.push(...diffLine(' ', lines[at]));
    const oldStart = oldCount === 0 ? from : from + 1;
    const newStart = newCount === 0 ? from + shift : from + shift + 1;
    out += `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n${body.join('\n')}\n`;
    shift += newCount - oldCount;
  }
  return out;
}

interface Line {
  readonly text: string;
  /** False for a last line with no newline after it. */
  readonly newline: boolean;
}

function splitLines(text: string): Line[] {
  const parts = text.split('\n');
  const lines: Line[] = parts.map((t, i) => ({ text: t, newline: i < parts.length - 1 }));
  if (lines.length > 0 && lines[lines.length - 1].text === '' && !lines[lines.length - 1].newline)
    lines.pop();
  return lines;
}

function diffLine(sign: string, line: Line): string[] {
  return line.newline ? [`${sign}${line.text}`] : [`${sign}${line.text}`, '\\ No newline at end of file'];
}
