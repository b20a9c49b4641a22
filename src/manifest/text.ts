/**
 * A whole file's text → findings with file, document, line and column. Pure: the CLI reads the bytes.
 */
import type { Finding } from '../types';
import { inspectObject, type ObjectCheckOptions } from './check';
import { InputError } from './errors';
import { type ManifestDocument, type ParseOptions, readManifests } from './parse';
import { isObject } from './workloads';

export interface TextReport {
  readonly findings: Finding[];
  /** Documents read and checked (empty documents are not counted). */
  readonly documents: number;
  /** Documents that are Kubernetes objects: a mapping with a `kind` (what the checks dispatch on). */
  readonly objects: number;
  /** Long-running containers checked. */
  readonly containers: number;
  /** Documents that could not be read; the others were still checked. */
  readonly errors: InputError[];
  /** With `keepSyntax`: each document read, by its index (its value and YAML syntax tree). */
  readonly read?: ManifestDocument[];
}

/** Checks every document of a YAML or JSON text. `file` is how findings and errors name it. */
export function checkText(
  text: string,
  file: string,
  options: ObjectCheckOptions & ParseOptions = {},
): TextReport {
  const findings: Finding[] = [];
  const errors: InputError[] = [];
  let containers = 0;
  let documents = 0;
  let kept: ManifestDocument[] | undefined;
  let objects = 0;
  // One document at a time: checked, located, then dropped.
  for (const doc of readManifests(text, file, options)) {
    if (doc instanceof InputError) {
      errors.push(doc);
      continue;
    }
    documents++;
    if (options.keepSyntax) {
      kept ??= [];
      kept[doc.index] = doc;
    }
    const value: unknown = doc.value;
    if (isObject(value) && typeof value.kind === 'string' && value.kind !== '') objects++;
    const report = inspectObject(doc.value, {
      ...options,
      origin: { ...options.origin, file, document: doc.index },
    });
    containers += report.containers;
    const positions = doc.locateAll(report.findings.map((f) => f.path));
    report.findings.forEach((finding, i) => {
      const { line, column } = positions[i];
      findings.push({ ...finding, origin: { ...finding.origin, line, column } });
    });
  }
  return { findings, documents, objects, containers, errors, ...(kept ? { read: kept } : {}) };
}
