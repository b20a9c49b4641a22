/**
 * The identity of a finding: two findings with the same key say the same thing about the same
 * place of the same workload, and are reported once. One definition for every door, so that the
 * engine, the image reader and the CLI never disagree about what "the same finding" is.
 */
import type { Finding } from './types';

/**
 * The rule, the place (the field or file line that decided it), and the workload (file, document,
 * kind, namespace, name, container). `scope` narrows it further: a finding from an image file shared
 * by two workloads (`start.sh:2`) is kept for each — even when they share kind, name and container
 * name, as two items of a `List` may — so that an exemption on one never hides the other's
 * (DESIGN, "Findings": a finding belongs to one workload).
 */
export function findingKey(f: Finding, scope?: string): string {
  const o = f.origin;
  return JSON.stringify([
    f.rule,
    f.path,
    o.file,
    o.document,
    o.kind,
    o.namespace,
    o.name,
    o.container,
    scope,
  ]);
}
