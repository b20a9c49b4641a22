/**
 * The per-request metrics are kept in plain numbers for speed; scraped, they must read exactly as
 * prom-client's own Counter and Histogram would for the same decisions.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { WebhookMetrics } from '../../src/webhook/metrics';
import type { DecisionRecord } from '../../src/webhook/review';

const decision = (kind: string, operation: string, verdict: DecisionRecord['verdict']): DecisionRecord => ({
  uid: 'u',
  kind,
  namespace: 'shop',
  name: 'api',
  operation,
  dryRun: false,
  mode: 'enforce',
  verdict,
  rules: [],
  exempted: [],
});

describe('WebhookMetrics', () => {
  it('exposes requests and durations exactly as prom-client would', async () => {
    const ours = new WebhookMetrics({ defaultMetrics: false });
    const registry = new Registry();
    const requests = new Counter({
      name: 'oneproc_webhook_requests_total',
      help: 'Admission reviews answered, by object kind, operation, verdict and mode.',
      labelNames: ['kind', 'operation', 'verdict', 'mode'],
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'oneproc_webhook_request_duration_seconds',
      help: 'Time from the first byte of a review body to the answer written, by verdict.',
      labelNames: ['verdict'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    const seen: [DecisionRecord, number][] = [
      [decision('Deployment', 'CREATE', 'denied'), 0.0003],
      [decision('Pod', 'UPDATE', 'allowed'), 0.00005],
      [decision('Deployment', 'CREATE', 'denied'), 0.0001],
      [decision('ConfigMap', 'PATCH', 'errored'), 2],
      [decision('Job', 'CREATE', 'warned'), 0.25],
    ];
    for (const [d, seconds] of seen) {
      ours.observe(d, seconds);
      const kind = ['Deployment', 'Pod', 'Job'].includes(d.kind) ? d.kind : 'other';
      const operation = ['CREATE', 'UPDATE'].includes(d.operation) ? d.operation : 'other';
      requests.inc({ kind, operation, verdict: d.verdict, mode: d.mode });
      duration.observe({ verdict: d.verdict }, seconds);
    }
    const text = await ours.registry.metrics();
    const expected = await registry.metrics();
    const section = (all: string, name: string) =>
      all
        .split('\n\n')
        .find((block) => block.startsWith(`# HELP ${name} `))
        ?.trim();
    for (const name of ['oneproc_webhook_requests_total', 'oneproc_webhook_request_duration_seconds']) {
      expect(section(text, name)).toBe(section(expected, name));
    }
  });
});
