/**
 * `oneproc check --format json`: one JSON document with a fixed shape (DESIGN.md, "CLI contract"), so
 * scripts can rely on every key being present. Absent origin fields are `null`. Printed with the
 * characters terminals and CI runners act on escaped (`safeJson`), which parse back to the same values.
 */
import type { Finding, Note } from '../types';
import { safeJson } from './escape';

export interface CheckSummary {
  /** Documents read and checked. */
  readonly documents: number;
  /** Long-running containers checked. */
  readonly containers: number;
  /** Images checked (Dockerfiles read, or an unpacked image), when any. */
  readonly images?: number;
  /** Compose services and Procfile process types checked, when any. */
  readonly services?: number;
}

export interface JsonFinding {
  severity: Finding['severity'];
  rule: string;
  message: string;
  path: string;
  workers: number | null;
  file: string | null;
  document: number | null;
  kind: string | null;
  namespace: string | null;
  name: string | null;
  container: string | null;
  /** 1-based line of the field, when the input had positions. */
  line?: number;
  /** Present when an exemption annotation covers the finding; such findings never fail the check. */
  exempted?: { reason: string; until?: string };
  /** The files and lines that led to the decisive one (manifest → Dockerfile → script → config). */
  chain?: string[];
  /** Which setting decides the count and where it is written (`kind`, `at`, `name`). */
  cause?: Finding['cause'];
}

/** What could not be followed; absent origin fields are `null`, as in findings. */
export interface JsonNote {
  message: string;
  file: string | null;
  line: number | null;
  kind: string | null;
  namespace: string | null;
  name: string | null;
  container: string | null;
  /** Present when the note has one: `unreadable` for an input that could not be read (exit status 2). */
  reason?: Note['reason'];
}

export interface JsonReport {
  findings: JsonFinding[];
  notes: JsonNote[];
  checked: { documents: number; containers: number; images?: number; services?: number };
}

export function toJsonReport(
  findings: readonly Finding[],
  checked: CheckSummary,
  notes: readonly Note[] = [],
): JsonReport {
  return {
    findings: findings.map((f) => {
      const o = f.origin;
      const out: JsonFinding = {
        severity: f.severity,
        rule: f.rule,
        message: f.message,
        path: f.path,
        workers: f.workers,
        file: o.file ?? null,
        document: o.document ?? null,
        kind: o.kind ?? null,
        namespace: o.namespace ?? null,
        name: o.name ?? null,
        container: o.container ?? null,
      };
      if (o.line !== undefined) out.line = o.line;
      if (o.chain && o.chain.length > 0) out.chain = [...o.chain];
      if (f.exempted) {
        out.exempted = { reason: f.exempted.reason };
        if (f.exempted.until !== undefined) out.exempted.until = f.exempted.until;
      }
      if (f.cause) out.cause = f.cause;
      return out;
    }),
    notes: notes.map((n) => ({
      message: n.message,
      file: n.file ?? null,
      line: n.line ?? null,
      kind: n.kind ?? null,
      namespace: n.namespace ?? null,
      name: n.name ?? null,
      container: n.container ?? null,
      ...(n.reason !== undefined ? { reason: n.reason } : {}),
    })),
    checked: {
      documents: checked.documents,
      containers: checked.containers,
      ...(checked.images ? { images: checked.images } : {}),
      ...(checked.services ? { services: checked.services } : {}),
    },
  };
}

export function formatJson(
  findings: readonly Finding[],
  checked: CheckSummary,
  notes: readonly Note[] = [],
): string {
  return `${safeJson(JSON.stringify(toJsonReport(findings, checked, notes), null, 2))}\n`;
}
