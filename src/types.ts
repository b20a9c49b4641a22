/**
 * The contracts shared by every part of oneproc: what a finding is and where it came from.
 * Pure data: no IO here.
 */
import type { Cause, Place } from './place';

export type { Cause };

/** `error`: definitely more than one worker process. `warning`: the count cannot be known here. */
export type Severity = 'error' | 'warning';

/**
 * `web`: servers whose worker processes keep application state in memory across requests.
 * `queue`: job-queue workers (celery, dramatiq, rq, sidekiq) — warning by default, configurable.
 */
export type Category = 'web' | 'queue';

/** Where a finding came from. Filled by the door that read the input (CLI, webhook, constructs). */
export interface Origin {
  /** File the object was read from, as the user named it. */
  file?: string;
  /** 1-based line of the decisive field in `file`. */
  line?: number;
  /** 1-based column of the decisive field in `file`. */
  column?: number;
  /** 0-based index of the document in a multi-document file. */
  document?: number;
  kind?: string;
  namespace?: string;
  name?: string;
  container?: string;
  /** The files and lines that led to the decisive one, e.g. `deploy.yaml:12 → Dockerfile:8`. */
  chain?: string[];
}

/** An exemption that applied (annotation `oneproc.dev/allow-multiple-workers`). */
export interface Exemption {
  reason: string;
  /** `YYYY-MM-DD` from `oneproc.dev/allow-until`, when given. */
  until?: string;
}

export interface Finding {
  /** Server id, e.g. `uvicorn`. */
  rule: string;
  category: Category;
  severity: Severity;
  /** What was found, why it matters, how to fix it, how to exempt it. */
  message: string;
  /** The exact field, e.g. `spec.template.spec.containers[0].args[3]`, or a file line, `start.sh:4`. */
  path: string;
  /**
   * The place `path` names, as data: a file line (`{ file, line, … }`) when the finding comes from a
   * file of the image or repository, else the field. Doors tell the two apart by it, never by `path`.
   */
  at?: Place;
  /** The worker count, or null when it is not a fixed number (unknown, or one per CPU). */
  workers: number | null;
  /** Set when an exemption annotation covers this finding: report it, but not as a failure. */
  exempted?: Exemption;
  origin: Origin;
  /** Which setting decides the count and where it is written, when a rule's decision names one. */
  cause?: Cause;
}

/**
 * Something oneproc could not follow to its end — a file not found or outside the root, a binary, an
 * unknown launcher, a template it did not render — with the reason and the place, so that "0 errors"
 * means checked and fine (README, "Notes"). Notes never change the exit status; a limit that may
 * change the verdict is a warning finding instead.
 */
export interface Note {
  /** What was not followed, and why. */
  message: string;
  /** The file (as shown to the user) where it happened, when there is one. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  kind?: string;
  namespace?: string;
  name?: string;
  container?: string;
  /** Why it was not checked, when it is a class a script may act on: `unreadable` (an input that made the exit status 2). */
  reason?: 'unreadable';
}
