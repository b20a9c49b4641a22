/**
 * The alert rules (charts/oneproc/templates/_alerts.tpl → a PrometheusRule, and
 * manifests/alerts/oneproc.rules.yml) checked by the real Prometheus tooling: `promtool check rules`, and
 * `promtool test rules` with a case that fires and a case that does not for every alert. Also the chart's
 * governance values (enforceAfter, exemptions) as they reach `oneproc serve`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { WebhookMetrics } from '../../src/webhook/metrics';
import { CHART, find, helm, notes, REPO, startFakeApiServer, template, templateError } from './helm';

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: the generator is plain JavaScript
const generator: any = require('../../scripts/manifests.js');

const RULES = path.join(REPO, 'manifests', 'alerts', 'oneproc.rules.yml');
const RULE_TESTS = path.join(__dirname, 'fixtures', 'alerts', 'oneproc.test.yml');

/** promtool from Debian's `prometheus` package; a missing one fails the test with how to install it. */
function requirePromtool(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'promtool');
    if (dir !== '' && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    'promtool is not installed: on Debian, `apt-get install --no-install-recommends prometheus` ' +
      '(scripts/setup.sh installs it)',
  );
}

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(requirePromtool(), args, { timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

interface RuleGroup {
  name: string;
  rules: { alert: string; expr: string; annotations: Record<string, string> }[];
}

function ruleFile(): { groups: RuleGroup[] } {
  return parse(fs.readFileSync(RULES, 'utf8'));
}

describe('alert rules, checked by promtool', () => {
  beforeAll(() => requirePromtool());

  it('pass `promtool check rules`', async () => {
    const { code, out } = await promtool(['check', 'rules', RULES]);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS: 6 rules found') });
  });

  it('pass their unit tests (`promtool test rules`), every alert firing and not firing', async () => {
    const { code, out } = await promtool(['test', 'rules', RULE_TESTS]);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS') });

    const tests = parse(fs.readFileSync(RULE_TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    const alerts = ruleFile().groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual([
      'OneprocWebhookCertificateExpiresSoon',
      'OneprocWebhookReviewErrors',
      'OneprocWebhookFailClosed',
      'OneprocWebhookSlowReviews',
      'OneprocWebhookNoReadyReplicas',
      'OneprocWebhookLogLinesDropped',
    ]);
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => (c.exp_alerts ?? []).length > 0) }).toEqual({
        alert,
        fires: true,
      });
      expect({ alert, quiet: mine.some((c) => (c.exp_alerts ?? []).length === 0) }).toEqual({
        alert,
        quiet: true,
      });
    }
  });

  it('fail `promtool test rules` when an alert would not fire (the tests can fail)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-alerts-'));
    try {
      const rules = ruleFile();
      // The certificate alert at 1 day instead of 14: the 13-day certificate of the tests no longer fires it.
      rules.groups[0].rules[0].expr = rules.groups[0].rules[0].expr.replace('1209600', '86400');
      fs.writeFileSync(path.join(dir, 'rules.yml'), stringify(rules));
      const tests = parse(fs.readFileSync(RULE_TESTS, 'utf8'));
      tests.rule_files = ['rules.yml'];
      fs.writeFileSync(path.join(dir, 'tests.yml'), stringify(tests));
      const { code, out } = await promtool(['test', 'rules', path.join(dir, 'tests.yml')]);
      expect(code).not.toBe(0);
      expect(out).toContain('alertname: OneprocWebhookCertificateExpiresSoon');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('each link to its own runbook section in docs/install.md', () => {
    const headings = fs
      .readFileSync(path.join(REPO, 'docs', 'install.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('### '))
      .map((line) => line.slice(4).trim().toLowerCase());
    const rules = ruleFile().groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      expect(rule.annotations.runbook_url).toBe(
        `https://github.com/oneproc/oneproc/blob/main/docs/install.md#${rule.alert.toLowerCase()}`,
      );
      expect(headings).toContain(rule.alert.toLowerCase());
    }
  });

  it('read only metrics the webhook exports', () => {
    const exported = new Set(
      new WebhookMetrics({ defaultMetrics: false }).registry.getMetricsAsArray().map((m) => m.name),
    );
    const used = new Set(
      ruleFile()
        .groups.flatMap((g) => g.rules.map((r) => r.expr))
        .flatMap((expr) => expr.match(/oneproc_[a-z_]+/g) ?? [])
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(used.size).toBe(6);
    for (const name of used) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  });
});

describe('alert rules in the chart and in manifests/', () => {
  it('manifests/alerts/ equals what `npm run manifests` generates (run it and commit when this fails)', () => {
    expect(fs.readFileSync(RULES, 'utf8')).toBe(generator.renderAlerts());
  });

  it('are not created by default; opted in, the PrometheusRule holds the same groups as the rules file', async () => {
    expect((await template()).filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    const rule = find(
      await template({
        'alerts.prometheusRule.enabled': true,
        'alerts.prometheusRule.labels': { release: 'kps' },
      }),
      'PrometheusRule',
    );
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'oneproc', namespace: 'oneproc-system' });
    expect(rule.metadata.labels?.release).toBe('kps');
    expect(rule.spec).toEqual(ruleFile());
  });

  it('use the selector and thresholds given, and still pass promtool', async () => {
    const rule = find(
      await template(
        {
          'alerts.prometheusRule.enabled': true,
          'alerts.selector': 'job="oneproc", cluster=~"eu-.*"',
          'alerts.certificateExpiryDays': 30,
          'alerts.reviewErrorRatio': 0.01,
          'alerts.failClosedIn10Minutes': 5,
          'alerts.latencyP99Seconds': 0.5,
        },
        { namespace: 'guard' },
      ),
      'PrometheusRule',
    );
    const exprs = (rule.spec.groups as RuleGroup[]).flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs).toEqual([
      'min(oneproc_webhook_certificate_expiry_timestamp_seconds{job="oneproc", cluster=~"eu-.*"}) - time() < 2592000',
      'sum(rate(oneproc_webhook_requests_total{job="oneproc", cluster=~"eu-.*",verdict="errored"}[10m])) / ' +
        'sum(rate(oneproc_webhook_requests_total{job="oneproc", cluster=~"eu-.*"}[10m])) > 0.01',
      'sum(increase(oneproc_webhook_fail_closed_total{job="oneproc", cluster=~"eu-.*"}[10m])) > 5',
      'histogram_quantile(0.99, sum by (le) (rate(oneproc_webhook_request_duration_seconds_bucket{job="oneproc", cluster=~"eu-.*"}[10m]))) > 0.5',
      '(sum(oneproc_webhook_ready{job="oneproc", cluster=~"eu-.*"}) or vector(0)) < 1',
      'sum(increase(oneproc_webhook_log_lines_dropped_total{job="oneproc", cluster=~"eu-.*"}[10m])) > 0',
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-alerts-'));
    try {
      const file = path.join(dir, 'rules.yml');
      fs.writeFileSync(file, stringify(rule.spec));
      const { code, out } = await promtool(['check', 'rules', file]);
      expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS: 6 rules found') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('chart governance values', () => {
  const args = async (values: Record<string, unknown>) =>
    find(await template(values), 'Deployment').spec.template.spec.containers[0].args as string[];

  it('pass enforceAfter and the exemption authority to `oneproc serve`, one flag per name', async () => {
    const given = await args({
      enforceAfter: '2027-01-31',
      'exemptions.allowedUsers': ['alice', 'CN=ops,O="Example, Inc."'],
      'exemptions.allowedGroups': ['platform-admins'],
    });
    expect(given.slice(given.indexOf('--mode'))).toEqual([
      '--mode',
      'enforce',
      '--enforce-after',
      '2027-01-31',
      '--exempt-users',
      'alice',
      '--exempt-users',
      'CN=ops,O="Example, Inc."',
      '--exempt-groups',
      'platform-admins',
    ]);
    const unset = await args({});
    expect(unset.slice(unset.indexOf('--mode'))).toEqual(['--mode', 'enforce']);
  });

  it.each([
    [{ enforceAfter: '2027-02-30' }, 'enforceAfter (2027-02-30) must be a calendar date written YYYY-MM-DD'],
    [{ enforceAfter: '31.01.2027' }, 'enforceAfter: Does not match pattern'],
    [
      { enforceAfter: '2027-01-31', mode: 'warn' },
      'enforceAfter escalates the default mode from warn to enforce on its day, but mode is warn',
    ],
    [{ 'exemptions.allowedUsers': ['a\nb'] }, 'exemptions.allowedUsers.0: Does not match pattern'],
    [
      { 'exemptions.allowedGroups': [''] },
      'exemptions.allowedGroups.0: String length must be greater than or equal to 1',
    ],
    [{ 'alerts.selector': 'a="b"} or vector(1) or {c="d"' }, 'alerts.selector: Does not match pattern'],
  ])('refuse %j', async (values, message) => {
    expect(await templateError(values)).toContain(message);
  });

  it('are told in the notes after install', async () => {
    const api = await startFakeApiServer();
    try {
      const plain = await notes(api, {});
      const dated = await notes(api, {
        enforceAfter: '2027-01-31',
        'exemptions.allowedUsers': ['alice'],
        'exemptions.allowedGroups': ['platform-admins', 'sre'],
      });
      expect(plain).toContain(
        '\n\nNamespaces without the label oneproc.dev/mode are in enforce mode (workloads with several worker processes are rejected).\nNever checked:',
      );
      expect(plain).not.toContain('Only these may');
      expect(dated).toContain(
        '\n\nNamespaces without the label oneproc.dev/mode are warned until 2027-01-31 (each warning names the day) ' +
          'and in enforce mode from 00:00 UTC that day (workloads with several worker processes are rejected).\n' +
          '  oneproc audit --enforce-after 2027-01-31   # lists what will be rejected then\nNever checked:',
      );
      expect(dated).toContain(
        'oneproc.dev/allow-until=2030-01-31\nOnly these may add or change an exemption: users alice; groups platform-admins, sre.\n',
      );
    } finally {
      await api.close();
    }
  });

  it('lint clean with alerts, escalation and exemption authority set', async () => {
    const { stdout, stderr, code } = await helm([
      'lint',
      '--strict',
      CHART,
      '--set',
      'alerts.prometheusRule.enabled=true',
      '--set',
      'enforceAfter=2027-01-31',
      '--set',
      'exemptions.allowedGroups={platform-admins}',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});
