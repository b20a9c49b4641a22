/**
 * Worker counts: reading one from a word or an env entry with a server's integer reader (bounding
 * `$(nproc)` formulas over the CPU count), the decision it makes, and the usual fix text.
 * Pure functions: no IO, never throw.
 */
import { type Cause, envCause as envCauseKind, placeOf, wordCause } from '../place';
import type { Decision } from '../rules/types';
import { cpuFormulaBounds } from '../shell/arith';
import type { EnvEntry, Word } from '../shell/types';
import type { IntReader } from './ints';
import type { OptionHit } from './options';

/** What a worker count written somewhere turns out to be. */
export type Count =
  | { readonly kind: 'number'; readonly n: number; readonly caveat?: string }
  /** A formula over the CPU count whose smallest value for 1…256 CPUs is `min` (and largest `max`). */
  | { readonly kind: 'per-cpu'; readonly min: number; readonly max: number }
  /**
   * Text the server's integer reader refuses (`refused` says why), which a rule may still give its
   * own meaning first (`max`, `auto`, …): otherwise the server does not start.
   */
  | { readonly kind: 'text'; readonly text: string; readonly refused: string }
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * Reads a count from a word as `reader` does: a `$(nproc)` formula (left by a shell) is bounded over
 * the CPU count, a value unknown here stays unknown, and known text is read by the server's reader.
 */
export function readCount(
  word: Pick<Word, 'text' | 'unknown' | 'refused' | 'atLeast'>,
  reader: IntReader,
): Count {
  if (word.refused !== undefined) return { kind: 'text', text: word.text.trim(), refused: word.refused };
  const formula = cpuFormulaBounds(word.text);
  if (formula) return { kind: 'per-cpu', ...formula };
  // A value the shell knows only by its lower bound (a CPU count, or a formula over one).
  if (word.unknown && word.atLeast !== undefined)
    return { kind: 'per-cpu', min: word.atLeast, max: Number.POSITIVE_INFINITY };
  if (word.unknown) return { kind: 'unknown', why: word.unknown };
  const r = reader.read(word.text);
  if ('refused' in r) return { kind: 'text', text: word.text.trim(), refused: r.refused };
  if ('unread' in r) return { kind: 'unknown', why: r.unread };
  return r.caveat === undefined ? { kind: 'number', n: r.n } : { kind: 'number', n: r.n, caveat: r.caveat };
}

/** Reads a count from an env entry (e.g. WEB_CONCURRENCY) as `reader` does. */
export function readEnvCount(entry: EnvEntry, reader: IntReader): Count {
  if (entry.value === undefined)
    return entry.atLeast !== undefined
      ? { kind: 'per-cpu', min: entry.atLeast, max: Number.POSITIVE_INFINITY }
      : { kind: 'unknown', why: entry.unknown ?? `${entry.name} is not known here` };
  return readCount(
    entry.atLeast === undefined
      ? { text: entry.value, unknown: entry.unknown }
      : { text: entry.value, unknown: entry.unknown, atLeast: entry.atLeast },
    reader,
  );
}

/**
 * Turns a count into a decision with the usual meaning (n ≤ 1: one process; n > 1: that many; text the
 * server refuses: it does not start). Rules with other semantics (pm2's 0 = max, hypercorn 0.18's
 * 0 = in-process) handle those first.
 */
export function decideCount(count: Count, evidence: string, path: string, cause?: Cause): Decision {
  const decision = decideCountAt(count, evidence, path);
  return cause && decision.outcome !== 'single' ? { ...decision, cause } : decision;
}

function decideCountAt(count: Count, evidence: string, path: string): Decision {
  switch (count.kind) {
    case 'number': {
      if (count.n <= 1) return { outcome: 'single', evidence, path };
      const workers = Number.isSafeInteger(count.n) ? count.n : null;
      return count.caveat === undefined
        ? { outcome: 'multiple', workers, evidence, path }
        : { outcome: 'multiple', workers, evidence, path, why: count.caveat };
    }
    case 'per-cpu':
      if (count.min > 1) {
        return {
          outcome: 'multiple',
          workers: null,
          evidence,
          path,
          why: `at least ${count.min} on any node`,
        };
      }
      return { outcome: 'unknown', evidence, path, why: 'it depends on the number of CPUs of the node' };
    case 'text': {
      // The kubelet passes `$(NAME)` on as written when NAME is not defined or the reference is
      // escaped as `$$(NAME)` (kubernetes third_party/forked/golang/expansion/expand.go), and the
      // server then reads those characters.
      const reference = /\$\([A-Za-z_][A-Za-z0-9_]*\)/.exec(count.text);
      // `$NAME` and `${NAME}` are shell syntax: the kubelet expands only `$(NAME)`, so without a shell
      // (a `command` run directly, a variable's value) the server reads the dollar sign itself.
      const shell = reference
        ? null
        : /\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(count.text);
      const note = reference
        ? ` (\`${reference[0]}\` reaches the server as written, not expanded)`
        : shell
          ? ` (\`${shell[0]}\` reaches the server as written: Kubernetes expands only \`$(NAME)\`, and no shell expands it here)`
          : '';
      return { outcome: 'refused', evidence, path, why: `${count.refused}${note}` };
    }
    case 'unknown':
      return { outcome: 'unknown', evidence, path, why: count.why };
  }
}

/**
 * The decision for an option that sets a worker count, read as the server reads it. A missing value
 * makes the server refuse to start, which is no worker at all: nothing to report.
 */
export function decideOption(hit: OptionHit, reader: IntReader): Decision {
  if (!hit.value) return { outcome: 'single', evidence: hit.written, path: hit.path };
  return decideCount(readCount(hit.value, reader), hit.written, hit.path, optionCause(hit));
}

/** The cause of an option's count: its value word, where it was written, and the option's name. */
export function optionCause(hit: OptionHit): Cause | undefined {
  if (!hit.value) return undefined;
  const at = placeOf(hit.value);
  return { kind: wordCause(at), at, name: hit.name };
}

/** The cause of a variable's count: where it was set, and its name. */
export function envCause(entry: EnvEntry): Cause {
  const at = placeOf(entry);
  return { kind: envCauseKind(at), at, name: entry.name };
}

/** How an env entry is shown in evidence: `WEB_CONCURRENCY=4`, or the bare name when unknown. */
export function envEvidence(entry: EnvEntry): string {
  return entry.value === undefined ? entry.name : `${entry.name}=${entry.value}`;
}

/** The decision for an environment variable that sets a worker count (e.g. WEB_CONCURRENCY). */
export function decideEnv(entry: EnvEntry, reader: IntReader): Decision {
  return decideCount(readEnvCount(entry, reader), envEvidence(entry), entry.path, envCause(entry));
}

/**
 * The usual fix for a decision: the option or variable that set the count, and what to write instead.
 * `one` is the server's way to ask for one worker on the command line, e.g. `--workers 1`.
 */
export function countFix(decision: Decision, one: string): string {
  if (decision.outcome === 'single') return '';
  const evidence = decision.evidence;
  const env = /^([A-Z][A-Z0-9_]*)(=|$)/.exec(evidence);
  if (decision.outcome === 'unknown' || decision.outcome === 'refused') {
    if (env) return `make sure ${env[1]} resolves to 1, or pass \`${one}\` on the command line`;
    if (evidence.startsWith('-')) return `replace \`${evidence}\` with \`${one}\``;
    return `pass \`${one}\` on the command line`;
  }
  if (env) return `set ${env[1]}=1 (or remove it), or pass \`${one}\` on the command line`;
  if (evidence.startsWith('-')) return `drop \`${evidence}\` (or set \`${one}\`)`;
  return `pass \`${one}\` on the command line`;
}
