/**
 * Prometheus metrics of the webhook, served on their own plain-HTTP port so scraping never competes
 * with the API server for the TLS listener. Label values are bounded: kinds and operations outside
 * the known sets are counted as `other`, so a hostile request cannot grow the series without limit.
 */
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { WORKLOAD_KINDS } from '../manifest/workloads';
import type { DecisionRecord } from './review';

const KINDS: ReadonlySet<string> = new Set(WORKLOAD_KINDS);
const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** A metric as prom-client's registry reads it (`get()` at each scrape). */
interface Exported {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: 'sum';
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  }>;
  reset(): void;
}

/**
 * The per-request metrics, kept in plain numbers and turned into Prometheus samples only when scraped:
 * prom-client hashes the label object on every `inc` and `observe` (about a microsecond per request,
 * measured by bench/webhook/review.ts), while a review takes a few. The samples are the same as
 * prom-client's own Counter and Histogram would give.
 */
class RequestCounter implements Exported {
  readonly type = 'counter' as const;
  readonly aggregator = 'sum' as const;
  private readonly counts = new Map<string, { labels: Record<string, string>; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(kind: string, operation: string, verdict: string, mode: string): void {
    const key = `${kind}|${operation}|${verdict}|${mode}`;
    const entry = this.counts.get(key);
    if (entry) entry.value++;
    else this.counts.set(key, { labels: { kind, operation, verdict, mode }, value: 1 });
  }

  async get() {
    const values = [...this.counts.values()].map(({ labels, value }) => ({ labels: { ...labels }, value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.clear();
  }
}

class DurationHistogram implements Exported {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  /** Per verdict: observations per bucket (the last one is +Inf), their sum and count. */
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(verdict: string, seconds: number): void {
    let series = this.series.get(verdict);
    if (!series) {
      series = { buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(verdict, series);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    series.buckets[i]++;
    series.sum += seconds;
    series.count++;
  }

  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const [verdict, { buckets, sum, count }] of this.series) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += buckets[i];
        values.push({ labels: { le, verdict }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', verdict }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: { verdict }, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: { verdict }, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly requests: RequestCounter;
  readonly duration: DurationHistogram;
  readonly certificateExpiry: Gauge;
  readonly certificateReloads: Counter<'result'>;
  readonly connectionsRejected: Counter<'reason'>;
  /** Open connections, read from the transport at each scrape. */
  readonly connections: Gauge<'state'>;
  readonly logLinesDropped: Counter<'reason'>;
  /** Log bytes waiting to be written, read at each scrape. */
  readonly logQueued: Gauge;
  /** 1 while `/readyz` answers 200, read at each scrape. */
  readonly ready: Gauge;
  readonly failClosed: Counter<'reason'>;
  /** Where `ready` reads from; set by the server. */
  readiness: () => boolean = () => false;
  /** Where `logQueued` reads from; set by the server. */
  logQueuedBytes: () => number = () => 0;
  /** Where `connections` reads from; set by the server. */
  connectionCounts: () => { open: number; idle: number } = () => ({ open: 0, idle: 0 });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new RequestCounter(
      'oneproc_webhook_requests_total',
      'Admission reviews answered, by object kind, operation, verdict and mode.',
    );
    this.registry.registerMetric(this.requests as never);
    this.duration = new DurationHistogram(
      'oneproc_webhook_request_duration_seconds',
      'Time from the first byte of a review body to the answer written, by verdict.',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    );
    this.registry.registerMetric(this.duration as never);
    this.certificateExpiry = new Gauge({
      name: 'oneproc_webhook_certificate_expiry_timestamp_seconds',
      help: 'notAfter of the serving certificate in service, as a Unix timestamp: alert well before it.',
      registers,
    });
    this.certificateReloads = new Counter({
      name: 'oneproc_webhook_certificate_reloads_total',
      help: 'Serving key pair changes seen on disk: taken into service (ok) or refused (error).',
      labelNames: ['result'],
      registers,
    });
    this.connectionsRejected = new Counter({
      name: 'oneproc_webhook_connections_rejected_total',
      help:
        'Connections refused or closed by the transport limits: max_connections (the limit was reached), ' +
        'handshake_timeout, handshake_failed, idle_limit ' +
        '(too many idle connections: the longest idle was closed).',
      labelNames: ['reason'],
      registers,
    });
    const counts = () => this.connectionCounts();
    this.connections = new Gauge({
      name: 'oneproc_webhook_connections',
      help: 'Open TLS connections: all of them (open) and those with no request in flight (idle).',
      labelNames: ['state'],
      registers,
      collect() {
        const { open, idle } = counts();
        this.set({ state: 'open' }, open);
        this.set({ state: 'idle' }, idle);
      },
    });
    this.logLinesDropped = new Counter({
      name: 'oneproc_webhook_log_lines_dropped_total',
      help:
        'Log lines not written: backlog (the log reader fell behind by more than the queue bound) or ' +
        'error (standard output failed, e.g. its reader is gone).',
      labelNames: ['reason'],
      registers,
    });
    // Both series exist from the start: increase() over a series that appears with its first drop
    // already counted would miss that drop (the alert OneprocWebhookLogLinesDropped reads it).
    for (const reason of ['backlog', 'error']) this.logLinesDropped.inc({ reason }, 0);
    const queued = () => this.logQueuedBytes();
    this.logQueued = new Gauge({
      name: 'oneproc_webhook_log_queued_bytes',
      help: 'Log bytes waiting for the log reader (bounded; lines beyond the bound are dropped).',
      registers,
      collect() {
        this.set(queued());
      },
    });
    const readiness = () => this.readiness();
    this.ready = new Gauge({
      name: 'oneproc_webhook_ready',
      help: '1 while this replica is ready to review (GET /readyz answers 200), 0 while it shuts down.',
      registers,
      collect() {
        this.set(readiness() ? 1 : 0);
      },
    });
    this.failClosed = new Counter({
      name: 'oneproc_webhook_fail_closed_total',
      help:
        'Requests enforce mode refused because they could not be judged: error (oneproc failed on the ' +
        'request) or unjudged (a container the engine could not read: rules internal and limit).',
      labelNames: ['reason'],
      registers,
    });
    // Both series exist from the start, so that rate() sees the first refusal.
    for (const reason of ['error', 'unjudged']) this.failClosed.inc({ reason }, 0);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  observe(decision: DecisionRecord, seconds: number): void {
    this.requests.inc(
      KINDS.has(decision.kind) ? decision.kind : 'other',
      OPERATIONS.has(decision.operation) ? decision.operation : 'other',
      decision.verdict,
      decision.mode,
    );
    this.duration.observe(decision.verdict, seconds);
    if (decision.failClosed) this.failClosed.inc({ reason: decision.failClosed });
  }

  setCertificate(notAfter: Date): void {
    this.certificateExpiry.set(notAfter.getTime() / 1000);
  }
}

/** `GET /metrics` on plain HTTP. */
export function createMetricsServer(metrics: WebhookMetrics): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('method not allowed\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  return server;
}
