/**
 * The webhook's lifecycle: key pair, TLS listener, metrics listener, one JSON log line per decision,
 * certificate reloads, and a shutdown that loses no review: on SIGTERM `/readyz` fails and answers
 * carry `Connection: close` at once; after a short delay (endpoints take a moment to drop the pod)
 * the listener closes, reviews in flight finish, and the process exits well inside the grace period.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_PORT, WEBHOOK_PORT } from '../names';
import { CertificateReloader, type KeyPair, loadKeyPair } from './certs';
import { defaultModeAt, type ExemptionAuthority, restrictsExemptions, startOfDayUtc } from './governance';
import { JsonLog, type LogEntry, type Logger } from './log';
import { createMetricsServer, WebhookMetrics } from './metrics';
import { type CheckObject, type DecisionRecord, type Mode, reviewBody } from './review';
import { Transport } from './transport';

export { jsonLogger, type LogEntry, type Logger } from './log';

/** Time allowed after shutdown for the log reader to take the last lines. */
const LOG_DRAIN_MS = 2000;

/** The log line of one decision. */
export function decisionLogEntry(decision: DecisionRecord, seconds: number): LogEntry {
  const entry: LogEntry = {
    level: decision.verdict === 'errored' ? 'warn' : 'info',
    msg: 'review',
    uid: decision.uid,
    kind: decision.kind,
    namespace: decision.namespace,
    name: decision.name,
    operation: decision.operation,
    dryRun: decision.dryRun,
    mode: decision.mode,
    verdict: decision.verdict,
    rule: decision.rules.join(','),
    durationMs: Math.round(seconds * 1e6) / 1e3,
  };
  if (decision.exempted.length > 0) entry.exempted = decision.exempted.join(',');
  if (decision.error) entry.error = decision.error;
  if (decision.skipped) entry.skipped = decision.skipped;
  if (decision.enforceFrom) entry.enforceFrom = decision.enforceFrom;
  if (decision.failClosed) entry.failClosed = decision.failClosed;
  if (decision.exemptionSetBy !== undefined) entry.exemptionSetBy = decision.exemptionSetBy;
  return entry;
}

export interface WebhookServerOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** TLS port for reviews and health. Default 8443; 0 picks a free port. */
  readonly port?: number;
  /** Address to listen on. Default: every address (IPv6 and IPv4). */
  readonly host?: string;
  /** Plain-HTTP port for `/metrics`. Default 9090; 0 picks a free port. */
  readonly metricsPort?: number;
  /** Mode of `POST /validate`. */
  readonly mode: Mode;
  /**
   * `YYYY-MM-DD`: with mode `enforce`, `POST /validate` warns before 00:00 UTC of that day, naming it in
   * each warning, and enforces from then on (src/webhook/governance.ts).
   */
  readonly enforceAfter?: string;
  /** Who may add or change an exemption annotation. Default: anyone who may write the object. */
  readonly exemptions?: ExemptionAuthority;
  /** The clock for `enforceAfter` and `oneproc.dev/allow-until`. Default: the current time. */
  readonly now?: () => Date;
  /** The engine over Kubernetes objects (`checkObject`). */
  readonly check: CheckObject;
  /** Where log lines go. Default: JSON lines on standard output, bounded (see src/webhook/log.ts). */
  readonly log?: Logger;
  /** Time between SIGTERM and closing the listener, while readiness is failing. Default 3000 ms. */
  readonly shutdownDelayMs?: number;
  /** Hard limit for the drain after the listener closed. Default 20000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** How often the key pair files are re-read. Default 2000 ms. */
  readonly certCheckIntervalMs?: number;
  /** Time allowed for a TLS handshake. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Open connections at most. Default `MAX_CONNECTIONS` (2,000). */
  readonly maxConnections?: number;
}

export class WebhookServer {
  readonly metrics = new WebhookMetrics();
  readonly transport: Transport;
  private readonly metricsServer: HttpServer;
  private readonly reloader: CertificateReloader;
  private readonly log: Logger;
  /** The default log, when no `log` was given. */
  private readonly jsonLog: JsonLog | undefined;
  private ready = false;
  private drained = true;
  private stopping: Promise<void> | undefined;

  /** Reads the key pair (throws CertificateError naming the file) and prepares both listeners. */
  constructor(private readonly options: WebhookServerOptions) {
    if (options.log) {
      this.log = options.log;
    } else {
      this.jsonLog = new JsonLog({ onDrop: (reason) => this.metrics.logLinesDropped.inc({ reason }) });
      this.log = this.jsonLog.log;
      const jsonLog = this.jsonLog;
      this.metrics.logQueuedBytes = () => jsonLog.queuedBytes;
    }
    const { enforceAfter, exemptions, now } = options;
    if (enforceAfter !== undefined) {
      if (startOfDayUtc(enforceAfter) === undefined) {
        throw new Error(
          `enforceAfter must be a date written YYYY-MM-DD, got ${JSON.stringify(enforceAfter)}`,
        );
      }
      if (options.mode !== 'enforce') {
        throw new Error(`enforceAfter escalates the default mode to enforce; the mode is ${options.mode}`);
      }
    }
    const pair = loadKeyPair(options.certFile, options.keyFile);
    this.metrics.setCertificate(pair.notAfter);
    this.metrics.readiness = () => this.ready;
    const check = options.check;
    const clock = now ?? (() => new Date());
    const authority = restrictsExemptions(exemptions) ? exemptions : undefined;
    this.transport = new Transport({
      keyPair: pair,
      defaultMode:
        enforceAfter === undefined ? options.mode : () => defaultModeAt(options.mode, enforceAfter, clock()),
      review: (mode, body, enforceFrom) =>
        reviewBody(body, { mode, check, now: clock, enforceFrom, exemptions: authority }),
      onDecision: (decision, seconds) => this.decided(decision, seconds),
      isReady: () => this.ready,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      maxConnections: options.maxConnections,
      onConnectionRejected: (reason) => this.metrics.connectionsRejected.inc({ reason }),
    });
    this.metrics.connectionCounts = () => ({
      open: this.transport.connections,
      idle: this.transport.idleConnections,
    });
    this.reloader = new CertificateReloader(
      {
        certFile: options.certFile,
        keyFile: options.keyFile,
        intervalMs: options.certCheckIntervalMs,
        onReload: (next) => this.rotated(next),
        onError: (err) => {
          this.metrics.certificateReloads.inc({ result: 'error' });
          this.log({
            level: 'error',
            msg: 'certificate not reloaded; the previous one stays in service',
            error: err.message,
          });
        },
      },
      pair,
    );
    this.metricsServer = createMetricsServer(this.metrics);
  }

  get certificate(): KeyPair {
    return this.reloader.current;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /**
   * After shutdown: whether the log reader took every line. When it did not (stalled or gone), the
   * process must exit without waiting for it (see src/cli/serve.ts).
   */
  get logDrained(): boolean {
    return this.drained;
  }

  /** Listens on both ports; resolves once `/readyz` answers 200. */
  async start(): Promise<{ port: number; metricsPort: number }> {
    const { host } = this.options;
    await listen(this.transport.server, this.options.port ?? WEBHOOK_PORT, host);
    await listen(this.metricsServer, this.options.metricsPort ?? METRICS_PORT, host);
    this.reloader.start();
    this.ready = true;
    const port = (this.transport.server.address() as AddressInfo).port;
    const metricsPort = (this.metricsServer.address() as AddressInfo).port;
    const cert = this.reloader.current;
    this.log({
      level: 'info',
      msg: 'ready',
      port,
      metricsPort,
      mode: this.options.mode,
      ...(this.options.enforceAfter ? { enforceAfter: this.options.enforceAfter } : {}),
      ...(authority(this.options.exemptions) ?? {}),
      certificate: { subject: cert.subject, notAfter: cert.notAfter.toISOString() },
    });
    return { port, metricsPort };
  }

  /** Graceful stop; safe to call more than once. */
  shutdown(reason = 'shutdown'): Promise<void> {
    this.stopping ??= this.stop(reason);
    return this.stopping;
  }

  private async stop(reason: string): Promise<void> {
    const started = Date.now();
    this.ready = false;
    this.transport.beginClosing();
    this.log({ level: 'info', msg: 'shutting down', reason, connections: this.transport.connections });
    const delay = this.options.shutdownDelayMs ?? 3000;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await this.transport.drain({ deadlineMs: this.options.shutdownTimeoutMs ?? 20_000 });
    this.reloader.stop();
    await new Promise<void>((resolve) => {
      this.metricsServer.close(() => resolve());
      this.metricsServer.closeAllConnections();
    });
    this.log({ level: 'info', msg: 'stopped', reason, durationMs: Date.now() - started });
    if (this.jsonLog) this.drained = await this.jsonLog.close(LOG_DRAIN_MS);
  }

  private decided(decision: DecisionRecord, seconds: number): void {
    this.metrics.observe(decision, seconds);
    this.log(decisionLogEntry(decision, seconds));
  }

  private rotated(pair: KeyPair): void {
    this.transport.setKeyPair(pair);
    this.metrics.setCertificate(pair.notAfter);
    this.metrics.certificateReloads.inc({ result: 'ok' });
    this.log({
      level: 'info',
      msg: 'certificate reloaded',
      subject: pair.subject,
      notAfter: pair.notAfter.toISOString(),
      fingerprint256: pair.fingerprint256,
    });
  }
}

/**
 * Runs a server until SIGTERM or SIGINT, then shuts it down gracefully. Resolves with the exit code.
 */
export function runUntilSignal(server: WebhookServer): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      server.shutdown(signal).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** The exemption authority as logged at start, when one is set. */
function authority(exemptions: ExemptionAuthority | undefined): Record<string, unknown> | undefined {
  if (!restrictsExemptions(exemptions)) return undefined;
  return {
    exemptUsers: [...(exemptions?.allowedUsers ?? [])],
    exemptGroups: [...(exemptions?.allowedGroups ?? [])],
  };
}

function listen(server: import('node:net').Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}
