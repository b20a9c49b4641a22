/**
 * The webhook's log: one JSON object per line on standard output, the format log collectors expect from
 * a pod, `time` first. Lines written in the same turn of the event loop go out in one write: under load
 * that is one system call for many decisions instead of one each.
 *
 * A log must never take the webhook down. Standard output to a pipe is asynchronous in Node: when the
 * reader stalls, writes queue in memory without limit, and when it goes away, the next write fails with
 * EPIPE, which kills a process that does not listen for it. So lines beyond `maxQueuedBytes` waiting to
 * be written are dropped and counted, a write error stops the log (every later line is dropped and
 * counted), and `close` waits a bounded time for the queue to drain.
 */
import type { Writable } from 'node:stream';

export type LogEntry = Record<string, unknown> & { msg: string; level: 'info' | 'warn' | 'error' };
export type Logger = (entry: LogEntry) => void;

/** Why a line was not written: the queue was full, or the stream failed (its reader is gone). */
export type LogDrop = 'backlog' | 'error';

/** Bytes waiting to be written at most: about 3,000 decision lines. */
export const MAX_LOG_QUEUE_BYTES = 1024 * 1024;

export interface JsonLogOptions {
  /** Where lines go. Default: standard output. */
  readonly stream?: Writable;
  /** Default `MAX_LOG_QUEUE_BYTES`. */
  readonly maxQueuedBytes?: number;
  /** Called for each line dropped. */
  readonly onDrop?: (reason: LogDrop) => void;
}

export class JsonLog {
  /** Logs one entry (never throws, never blocks). */
  readonly log: Logger;
  private readonly stream: Writable;
  private readonly maxQueued: number;
  private pending = '';
  private failed = false;
  private scheduled = false;
  /** The ISO time of the last line, reused while the clock stays in the same millisecond. */
  private lastMs = 0;
  private lastIso = '';

  constructor(private readonly options: JsonLogOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.maxQueued = options.maxQueuedBytes ?? MAX_LOG_QUEUE_BYTES;
    this.stream.on('error', () => {
      // EPIPE (the reader is gone) or any other write error: nothing more can be written there.
      this.failed = true;
      this.pending = '';
    });
    this.log = (entry) => this.write(entry);
  }

  /** Bytes (UTF-16 units, ≈ bytes for these ASCII-escaped lines) waiting to be written. */
  get queuedBytes(): number {
    return this.pending.length + (this.failed ? 0 : this.stream.writableLength);
  }

  /** Whether the stream failed; every line since was dropped. */
  get broken(): boolean {
    return this.failed;
  }

  private write(entry: LogEntry): void {
    // A destroyed stream takes writes without an error event and drops them: count them here.
    if (!this.failed && (this.stream.destroyed || this.stream.writableEnded)) this.failed = true;
    if (this.failed) {
      this.options.onDrop?.('error');
      return;
    }
    const rest = JSON.stringify(entry);
    const line = `{"time":"${this.isoNow()}",${rest.slice(1)}\n`;
    if (this.pending.length + line.length + this.stream.writableLength > this.maxQueued) {
      this.options.onDrop?.('backlog');
      return;
    }
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.failed || this.pending === '') return;
    const lines = this.pending;
    this.pending = '';
    try {
      this.stream.write(lines);
    } catch {
      // A stream destroyed under us: the same as a write error.
      this.failed = true;
    }
  }

  private isoNow(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /**
   * Writes what is pending and waits until the stream has taken everything, at most `deadlineMs`.
   * Resolves true when the log drained, false when the reader did not read in time (or is gone).
   */
  close(deadlineMs: number): Promise<boolean> {
    this.flush();
    if (this.failed) return Promise.resolve(false);
    if (this.stream.writableLength === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (this.failed || this.stream.writableLength === 0 || Date.now() - started >= deadlineMs) {
          clearInterval(timer);
          resolve(!this.failed && this.stream.writableLength === 0);
        }
      }, 20);
    });
  }
}

/** The default log on standard output (no metrics), for callers that need only a `Logger`. */
let defaultLog: JsonLog | undefined;
export const jsonLogger: Logger = (entry) => {
  defaultLog ??= new JsonLog();
  defaultLog.log(entry);
};
