/**
 * Where a worker count is written in a piece of text: the whole numbers (digit runs not part of a
 * longer number, a version or a decimal) equal to it. Pure.
 */

/** Offsets `[start, end)` of each whole number in `text` whose value is `n`, in order. */
export function numberSpans(text: string, n: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const re = /\d+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    // `1.4`, `4.0`, `v4`, `py3`, `0x4`, `4k`: not a count written on its own. A letter before is
    // allowed only for a count glued to a short option: `-w4`, `-i4`.
    const before = text[start - 1] ?? '';
    const after = text[end] ?? '';
    if (before === '.' || after === '.' || before === '_' || /\w/.test(after)) continue;
    if (/[A-Za-z]/.test(before) && !/(^|[\s"'[,=])-[A-Za-z]$/.test(text.slice(Math.max(0, start - 3), start)))
      continue;
    if (Number(m[0]) === n && m[0].length <= 9) spans.push([start, end]);
  }
  return spans;
}

/**
 * Of several places on one line of a config file or Dockerfile that hold the count, the one that sets
 * it: the number nearest after a worker-count word (`workers`, `processes`, `instances`, `numprocs`,
 * `-w`, `-p`, `-i`, `WEB_CONCURRENCY`, `concurrency`). The finding says which line decides, not which
 * column, so this is the one guess the fixer makes from text; `undefined` when no such word precedes.
 */
export function countSpanOnLine(line: string, n: number): [number, number] | undefined {
  const spans = numberSpans(line, n);
  if (spans.length <= 1) return spans[0];
  const word =
    /(workers?|processes|instances|numprocs|concurrency|WEB_CONCURRENCY|worker_processes|-[wpic])\b\s*(?:[=:]\s*|\s+)?["']?$/i;
  const chosen = spans.filter(([start]) => word.test(line.slice(Math.max(0, start - 40), start)));
  return chosen.length === 1 ? chosen[0] : undefined;
}
