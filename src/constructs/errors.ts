/**
 * Errors a `SingleProcessApp` throws at construction. They are caused by the user's props or
 * command line (never by an internal bug), so each names the construct, the prop and its value.
 */
import type { Finding } from '../types';

/** A prop of `SingleProcessApp` (or of its Redis) is invalid. */
export class SingleProcessAppError extends Error {
  override readonly name = 'SingleProcessAppError';
  /** The construct's id (its path in the cdk8s tree). */
  readonly construct: string;
  /** The prop, dotted, e.g. `replicas.min`. */
  readonly prop: string;
  /** The value the user gave (undefined when the prop is missing). */
  readonly value: unknown;

  constructor(construct: string, prop: string, value: unknown, problem: string) {
    super(`SingleProcessApp '${construct}': '${prop}' (${showValue(value)}) ${problem}`);
    this.construct = construct;
    this.prop = prop;
    this.value = value;
  }
}

/**
 * The container would start more than one worker process: the engine found an error. The message is
 * the engine's (what, why, how to fix, how to exempt), prefixed with the construct and the field.
 */
export class MultipleWorkersError extends Error {
  override readonly name = 'MultipleWorkersError';
  readonly construct: string;
  /** Every error finding; the message shows all of them. */
  readonly findings: readonly Finding[];

  constructor(construct: string, findings: readonly Finding[]) {
    super(
      findings
        .map((f) => `SingleProcessApp '${construct}': ${f.message} (${f.rule} at ${f.path})`)
        .join('\n'),
    );
    this.construct = construct;
    this.findings = findings;
  }
}

/** A prop of `AdmissionWebhook` is invalid; the message names the construct's path, the prop and its value. */
export class AdmissionWebhookError extends Error {
  override readonly name = 'AdmissionWebhookError';
  /** The construct's path in the cdk8s tree, e.g. `oneproc/webhook`. */
  readonly construct: string;

  constructor(construct: string, problem: string) {
    super(`AdmissionWebhook '${construct}': ${problem}`);
    this.construct = construct;
  }
}

/** A value as it appears in an error message: JSON, shortened to stay readable. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
