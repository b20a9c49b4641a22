/**
 * The work budget of one review (or one `checkContainer` call): caps at the kernel's own limits for
 * what one program may be given, caps on what one request may make oneproc build, and a time budget,
 * so that any input is judged in bounded time and memory. Past a cap a value is unknown, with the
 * reason, and the container gets a `limit` finding: oneproc says it stopped instead of guessing.
 *
 * The kernel's limits (torvalds/linux include/uapi/linux/binfmts.h, fs/exec.c):
 * - MAX_ARG_STRLEN = PAGE_SIZE * 32 = 128 KiB: `copy_strings` refuses (E2BIG) any argument or
 *   environment string ("NAME=value") longer than that, its terminating NUL included;
 * - `bprm_stack_limits`: all arguments and environment strings, their NULs and one pointer each, must
 *   fit in a quarter of the stack limit (at most three quarters of _STK_LIM): 2 MiB under the usual
 *   8 MiB stack limit of container runtimes. Past either limit `execve` fails with E2BIG
 *   ("Argument list too long") and the program never starts.
 * A shell may hold longer values in its variables (dash has no limit), but it cannot pass them to a
 * program, so oneproc follows no value beyond 128 KiB and no container's text beyond 2 MiB.
 *
 * Pure apart from reading a monotonic clock (injectable); never throws.
 */
import { performance } from 'node:perf_hooks';

/** The longest argument or environment string the kernel passes to a program, NUL included. */
export const MAX_ARG_STRLEN = 128 * 1024;
/** All arguments and environment strings of one program, with NULs and pointers (8 MiB stack). */
export const MAX_ARG_TOTAL = 2 * 1024 * 1024;
/** The bytes a string takes on a 64-bit program's stack, beyond its text: its NUL and its pointer. */
export const ARG_OVERHEAD = 1 + 8;
/** Words one review may make oneproc build (argv words of containers and of script commands). */
export const MAX_REVIEW_WORDS = 262_144;
/** Characters of expanded text one review may make oneproc build (`$(VAR)`, shell variables, scripts). */
export const MAX_REVIEW_TEXT = 16 * 1024 * 1024;
/**
 * Wall-clock time one review may take before oneproc stops reading: a backstop behind the caps above
 * (which keep any request of up to 3 MiB under 100 ms of CPU, bench/webhook/hostile.ts), well inside
 * the API server's webhook timeout (`timeoutSeconds` ≤ 3, for both objects of an UPDATE).
 */
export const TIME_BUDGET_MS = 1000;

/** A limit that was reached: what it is, and the field where it was reached. */
export interface LimitReached {
  readonly message: string;
  readonly path: string;
}

export interface BudgetOptions {
  /** Milliseconds the review may take. Default TIME_BUDGET_MS. */
  readonly timeMs?: number;
  /** A monotonic clock in milliseconds. Default `performance.now`. */
  readonly now?: () => number;
  /** Words the review may build. Default MAX_REVIEW_WORDS. */
  readonly words?: number;
  /** Characters of expanded text the review may build. Default MAX_REVIEW_TEXT. */
  readonly text?: number;
}

/** Why a value is unknown when it grew past MAX_ARG_STRLEN. */
export const WORD_TOO_LONG =
  'it is longer than 128 KiB, the kernel’s limit for one argument or environment string (MAX_ARG_STRLEN)';

/**
 * One review's budget. The engine starts each container with `startContainer` and reads the limits it
 * reached from `limits`; the shell layer spends words and text and stops once `stopped` says why.
 */
export class WorkBudget {
  private readonly now: () => number;
  private readonly deadline: number;
  private readonly timeMs: number;
  private readonly maxWords: number;
  private readonly maxText: number;
  private wordsLeft: number;
  private textLeft: number;
  /** The review-wide limit that ran out (time, words, text), once one did. */
  private spent: string | undefined;
  /** The time limit, once the deadline passed. */
  private late: string | undefined;
  private ticks = 0;
  /** The current container's program: its arguments and environment, as the kernel counts them. */
  private programBytes = 0;
  /** Text the current container's scripts built (words, values, scripts read). */
  private scriptText = 0;
  /** The current container's own limit, once it reached one that stops reading it. */
  private full: string | undefined;
  /** Why the kernel refuses to start the current container's program, once known. */
  private refusal: string | undefined;
  private reached: LimitReached[] = [];
  private readonly kinds = new Set<string>();

  constructor(options: BudgetOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.timeMs = options.timeMs ?? TIME_BUDGET_MS;
    this.deadline = this.now() + this.timeMs;
    this.maxWords = options.words ?? MAX_REVIEW_WORDS;
    this.maxText = options.text ?? MAX_REVIEW_TEXT;
    this.wordsLeft = this.maxWords;
    this.textLeft = this.maxText;
  }

  /** Starts a container: its own counts start at zero; the review's keep running. */
  startContainer(): void {
    this.programBytes = 0;
    this.scriptText = 0;
    this.full = undefined;
    this.refusal = undefined;
    this.reached = [];
    this.kinds.clear();
  }

  /** The limits the current container reached, in order, one per kind. */
  limits(): readonly LimitReached[] {
    return this.reached;
  }

  /**
   * Records that a limit was reached at `path` (once per `kind` and container) and returns the
   * reason, for the value it leaves unknown.
   */
  reach(kind: string, message: string, path: string): string {
    if (!this.kinds.has(kind) && !this.reached.some((r) => r.message === message)) {
      this.kinds.add(kind);
      this.reached.push({ message, path });
    }
    return message;
  }

  /**
   * Why reading must stop at `path` (the review's time, words or text ran out, or this container's
   * text did), recorded as a limit of this container; undefined while reading may go on.
   */
  stopped(path: string): string | undefined {
    this.clock();
    const why = this.spent ?? this.refusal ?? this.full;
    if (why !== undefined) this.reach(why, why, path);
    return why;
  }

  /** Why judging must stop at `path` because the review's time ran out (recorded); else undefined. */
  timeUp(path: string): string | undefined {
    const why = this.clock();
    if (why !== undefined) this.reach(why, why, path);
    return why;
  }

  /** The time limit, once the clock passed the deadline (read at most every 16th call: it is hot). */
  private clock(): string | undefined {
    if (this.late === undefined && (this.ticks++ & 15) === 0 && this.now() > this.deadline) {
      this.late = `the review’s time budget of ${this.timeMs.toLocaleString('en-US')} ms ran out`;
      this.spent ??= this.late;
    }
    return this.late;
  }

  /** Spends `count` words built at `path`; false (and the limit recorded) once none are left. */
  words(count: number, path: string): boolean {
    if (this.spent === undefined) {
      this.wordsLeft -= count;
      if (this.wordsLeft < 0) {
        this.spent = `the review’s budget of ${this.maxWords.toLocaleString('en-US')} words is spent`;
      }
    }
    return this.stopped(path) === undefined;
  }

  /**
   * Spends `chars` characters of text that a script of the container built or read at `path`;
   * false (and the limit recorded) once the container's 2 MiB or the review's budget is spent.
   */
  text(chars: number, path: string): boolean {
    this.reviewText(chars);
    this.scriptText += chars;
    if (this.full === undefined && this.scriptText > MAX_ARG_TOTAL) {
      this.full =
        'the container’s scripts build more than 2 MiB of text (commands, words, variables), more than the kernel lets one program be given';
    }
    return this.stopped(path) === undefined;
  }

  /**
   * Counts one argument of the container's own program, after the kubelet's expansion, as the kernel
   * does. False, with the limit recorded, when the kernel refuses to start the program because of it:
   * the argument is longer than MAX_ARG_STRLEN, or all arguments and environment strings pass
   * MAX_ARG_TOTAL. Also false once the review's budget is spent.
   */
  programString(text: string, path: string): boolean {
    if (tooLong(text)) return this.programTooLong(path);
    return this.programBytesAdd(text.length, utf8Length(text), path);
  }

  /** As `programString`, for the environment string `NAME=value` (counted without building it). */
  programEntry(name: string, value: string, path: string): boolean {
    const bytes = utf8Length(name) + 1 + utf8Length(value);
    if (bytes + 1 > MAX_ARG_STRLEN) return this.programTooLong(path);
    return this.programBytesAdd(name.length + 1 + value.length, bytes, path);
  }

  private programBytesAdd(chars: number, bytes: number, path: string): boolean {
    if (this.refusal !== undefined) return false;
    this.reviewText(chars);
    this.programBytes += bytes + ARG_OVERHEAD;
    if (this.programBytes > MAX_ARG_TOTAL) {
      this.refusal = this.reach(
        'program',
        'the container’s arguments and environment exceed 2 MiB, the kernel’s limit for what one program is given (with the usual 8 MiB stack limit), so the kernel refuses to start the container (execve fails with E2BIG)',
        path,
      );
      return false;
    }
    return this.stopped(path) === undefined;
  }

  /** Records that an argument or environment string at `path` is longer than MAX_ARG_STRLEN. */
  programTooLong(path: string): false {
    this.refusal ??= this.reach(
      'program',
      `${WORD_TOO_LONG.replace(/^it is/, 'this value is')}, so the kernel refuses to start the container (execve fails with E2BIG)`,
      path,
    );
    return false;
  }

  /** Why the kernel refuses to start the container's program, once that is known; else undefined. */
  refused(): string | undefined {
    return this.refusal;
  }

  private reviewText(chars: number): void {
    if (this.spent !== undefined) return;
    this.textLeft -= chars;
    if (this.textLeft < 0) {
      this.spent = `the review’s budget of ${this.maxText.toLocaleString('en-US')} characters of expanded text is spent`;
    }
  }
}

/** The size of `text` in UTF-8 bytes, as the kernel counts it. */
export function utf8Length(text: string): number {
  // Short strings (nearly every word) are counted here, without a call into the runtime.
  if (text.length > 64) return Buffer.byteLength(text, 'utf8');
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point past U+FFFF
      i++;
    } else bytes += 3; // a lone surrogate is encoded as U+FFFD
  }
  return bytes;
}

/** True when `text` cannot be one argument or environment string (MAX_ARG_STRLEN, NUL included). */
export function tooLong(text: string): boolean {
  // A string of n UTF-16 units takes between n and 3n bytes: only long ones need counting.
  if (text.length >= MAX_ARG_STRLEN) return true;
  return text.length * 3 >= MAX_ARG_STRLEN && utf8Length(text) + 1 > MAX_ARG_STRLEN;
}

/** A short stand-in for a value too long to keep: its start and its size. */
export function abbreviate(text: string): string {
  return `${text.slice(0, 40)}… (${text.length.toLocaleString('en-US')} characters)`;
}
