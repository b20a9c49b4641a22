/**
 * A fix plan as SARIF `fixes` (SARIF 2.1.0 §3.55): per finding, the file changes that fix it, each a
 * `deletedRegion` (1-based lines and UTF-16 columns, SARIF's default `columnKind`) and its
 * `insertedContent`, so code-review tools that apply SARIF suggestions can offer them. Pure.
 */
import type { ArtifactLocation, Fix } from 'sarif';
import type { Finding } from '../types';
import type { FixPlan } from './plan';
import { lineStarts, regionOf } from './text-edit';

/** `finding → fixes` for `toSarif`; `texts` are the files' texts before the edits, `uri` names a file. */
export function sarifFixes(
  plan: FixPlan,
  texts: ReadonlyMap<string, string>,
  uri: (file: string) => ArtifactLocation,
): (finding: Finding) => Fix[] | undefined {
  const byFinding = new Map(plan.fixed.map((x) => [x.finding, x]));
  const starts = new Map<string, number[]>();
  const startsOf = (file: string) => {
    let s = starts.get(file);
    if (!s) {
      s = lineStarts(texts.get(file) ?? '');
      starts.set(file, s);
    }
    return s;
  };
  return (finding) => {
    const fixed = byFinding.get(finding);
    if (!fixed || fixed.edits.length === 0) return undefined;
    const files = [...new Set(fixed.edits.map((e) => e.file))];
    return [
      {
        description: { text: fixed.summary ?? 'Set the worker count to 1: one process per container.' },
        artifactChanges: files.map((file) => ({
          artifactLocation: uri(file),
          replacements: fixed.edits
            .filter((e) => e.file === file)
            .map((e) => ({
              deletedRegion: regionOf(startsOf(file), e.edit),
              insertedContent: { text: e.edit.text },
            })),
        })),
      },
    ];
  };
}
