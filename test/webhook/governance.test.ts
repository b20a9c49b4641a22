/**
 * Governance through the real TLS server, as the API server calls it: who may add or change an
 * exemption (from request.userInfo alone), and the dated escalation of the default mode.
 */
import { request as httpRequest } from 'node:http';
import { checkObject } from '../../src/manifest';
import { defaultModeAt, exemptionChanges, startOfDayUtc, withoutChanges } from '../../src/webhook/governance';
import { WebhookMetrics } from '../../src/webhook/metrics';
import { reviewBody } from '../../src/webhook/review';
import { type LogEntry, WebhookServer } from '../../src/webhook/server';
import {
  ApiServerClient,
  admissionReview,
  makeCa,
  type ReviewInput,
  SecretDir,
  UVICORN_1,
  UVICORN_4,
  workload,
} from './helpers';

const EXEMPT = 'oneproc.dev/allow-multiple-workers';
const UNTIL = 'oneproc.dev/allow-until';
const UID = 'c0ffee00-0000-4000-8000-000000000021';

interface Review {
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    warnings?: string[];
  };
}

let ca: Awaited<ReturnType<typeof makeCa>>;
let secret: SecretDir;

beforeAll(async () => {
  ca = await makeCa();
  secret = new SecretDir(await ca.issue());
});

async function startServer(options: Partial<ConstructorParameters<typeof WebhookServer>[0]>) {
  const logs: LogEntry[] = [];
  const server = new WebhookServer({
    certFile: secret.certFile,
    keyFile: secret.keyFile,
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    mode: 'enforce',
    check: checkObject,
    log: (entry) => logs.push(entry),
    shutdownDelayMs: 0,
    ...options,
  });
  const ports = await server.start();
  const client = new ApiServerClient(ports.port, ca.pem);
  const send = async (path: string, input: ReviewInput): Promise<Review> => {
    const answer = await client.send(path, JSON.stringify(admissionReview({ uid: UID, ...input })));
    expect(answer.status).toBe(200);
    return answer.json as Review;
  };
  const metrics = () =>
    new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: ports.metricsPort, path: '/metrics' }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
  const stop = async () => {
    client.close();
    await server.shutdown('test done');
  };
  return { send, logs, metrics, stop };
}

const exempted = (extra: Record<string, string> = {}) =>
  workload('Deployment', 'api', [UVICORN_4], {
    [EXEMPT]: 'legacy app, migrating to Redis sessions',
    ...extra,
  });

describe('exemption authority (allowed user alice, allowed group platform-admins)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer({ exemptions: { allowedUsers: ['alice'], allowedGroups: ['platform-admins'] } });
  });
  afterAll(() => s.stop());

  it('admits an exemption added by a member of an allowed group, and logs who set it', async () => {
    const answer = await s.send('/validate', {
      object: exempted(),
      username: 'carol',
      groups: ['platform-admins', 'system:authenticated'],
    });
    expect(answer.response).toEqual({ uid: UID, allowed: true });
    expect(s.logs.at(-1)).toMatchObject({ verdict: 'allowed', exempted: 'uvicorn', exemptionSetBy: 'carol' });
  });

  it('admits an exemption added by an allowed user', async () => {
    const answer = await s.send('/validate', { object: exempted(), username: 'alice' });
    expect(answer.response).toEqual({ uid: UID, allowed: true });
  });

  it('denies an exemption added by anyone else, naming who may exempt, and judges the object without it', async () => {
    const answer = await s.send('/validate', { object: exempted(), username: 'bob', groups: ['developers'] });
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    const message = answer.response.status?.message ?? '';
    expect(message).toContain('this request by user "bob" adds an exemption in metadata.annotations');
    expect(message).toContain(
      'only user "alice" or members of group "platform-admins" may add or change one',
    );
    // The exemption is ignored, so the violation it would have covered is named too.
    expect(message).toContain('container "api" (spec.template.spec.containers[0]');
    expect(message).toContain('uvicorn starts 4 worker processes');
    expect(s.logs.at(-1)).toMatchObject({ verdict: 'denied', rule: 'exemption-authority,uvicorn' });
  });

  it('denies an added exemption even on a workload that needs none (no pre-placed exemptions)', async () => {
    const object = workload('Deployment', 'api', [UVICORN_1], { [EXEMPT]: 'just in case' });
    const answer = await s.send('/validate', { object, username: 'bob' });
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toMatch(/^this request by user "bob" adds an exemption/);
  });

  it('only warns in warn mode, with the same names, and warns about what the exemption hid', async () => {
    const answer = await s.send('/validate/warn', { object: exempted(), username: 'bob' });
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings).toEqual([
      'user "bob" may not add or change an exemption (adds an exemption in metadata.annotations), so it is ' +
        'ignored; only user "alice" or members of group "platform-admins" may.',
      expect.stringMatching(/^container "api": uvicorn starts 4 worker processes/),
    ]);
  });

  it('keeps an unchanged exemption valid on UPDATE by anyone (an image bump)', async () => {
    const oldObject = exempted();
    const object = workload('Deployment', 'api', [{ ...UVICORN_4, image: 'python:3.13' }], {
      [EXEMPT]: 'legacy app, migrating to Redis sessions',
    });
    const answer = await s.send('/validate', { operation: 'UPDATE', object, oldObject, username: 'bob' });
    expect(answer.response).toEqual({ uid: UID, allowed: true });
  });

  it('treats renewing, un-dating or rewording an exemption on UPDATE as a change', async () => {
    const oldObject = exempted({ [UNTIL]: '2030-01-31' });
    for (const object of [
      exempted({ [UNTIL]: '2031-01-31' }),
      exempted(),
      workload('Deployment', 'api', [UVICORN_4], { [EXEMPT]: 'another reason', [UNTIL]: '2030-01-31' }),
    ]) {
      const answer = await s.send('/validate', { operation: 'UPDATE', object, oldObject, username: 'bob' });
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.message).toMatch(
        /^this request by user "bob" changes an exemption in metadata\.annotations/,
      );
    }
    // Removing an exemption only makes the object stricter: no authority needed.
    const removed = workload('Deployment', 'api', [UVICORN_1]);
    const answer = await s.send('/validate', {
      operation: 'UPDATE',
      object: removed,
      oldObject,
      username: 'bob',
    });
    expect(answer.response).toEqual({ uid: UID, allowed: true });
  });

  it('admits a Pod a ReplicaSet controller creates from an exempted template, but judges the same Pod from a user', async () => {
    const pod = workload('Pod', 'api-7d9f8-abcde', [UVICORN_4], { [EXEMPT]: 'legacy app' });
    (pod.metadata as Record<string, unknown>).ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7d9f8', uid: 'a1', controller: true },
    ];
    const byController = await s.send('/validate', {
      object: pod,
      username: 'system:serviceaccount:kube-system:replicaset-controller',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    });
    expect(byController.response).toEqual({ uid: UID, allowed: true });
    expect(s.logs.at(-1)).toMatchObject({ skipped: 'created from a checked template' });
    // The same ownerReference written by a user proves nothing: the exemption needs authority.
    const byUser = await s.send('/validate', { object: pod, username: 'bob' });
    expect(byUser.response.allowed).toBe(false);
    expect(byUser.response.status?.message).toMatch(/^this request by user "bob" adds an exemption/);
  });

  it('answers a dry run as the real request would be answered', async () => {
    const denied = await s.send('/validate', { object: exempted(), username: 'bob', dryRun: true });
    expect(denied.response.allowed).toBe(false);
    expect(denied.response.status?.message).toContain('only user "alice"');
    expect(s.logs.at(-1)).toMatchObject({ dryRun: true, verdict: 'denied' });
    const admitted = await s.send('/validate', { object: exempted(), username: 'alice', dryRun: true });
    expect(admitted.response).toEqual({ uid: UID, allowed: true });
  });

  it('quotes a hostile user name instead of printing it raw', async () => {
    const answer = await s.send('/validate', { object: exempted(), username: 'eve\n\u001b[31m"' });
    expect(answer.response.status?.message).toContain('user "eve\\n\\u001b[31m\\""');
  });
});

describe('exemption authority unset', () => {
  it('lets anyone who may write a workload exempt it (the behaviour without the setting)', async () => {
    const s = await startServer({});
    try {
      const answer = await s.send('/validate', { object: exempted(), username: 'bob' });
      expect(answer.response).toEqual({ uid: UID, allowed: true });
    } finally {
      await s.stop();
    }
  });
});

describe('dated escalation (--enforce-after 2027-01-31)', () => {
  let clock = new Date('2027-01-30T23:59:59Z');
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer({
      enforceAfter: '2027-01-31',
      now: () => clock,
      exemptions: { allowedGroups: ['platform-admins'] },
    });
  });
  afterAll(() => s.stop());

  const violating = { object: workload('Deployment', 'api', [UVICORN_4]) };

  it('warns before the day, naming it in each warning', async () => {
    clock = new Date('2027-01-30T23:59:59Z');
    const answer = await s.send('/validate', violating);
    expect(answer.response).toEqual({
      uid: UID,
      allowed: true,
      warnings: [
        'container "api": This will be rejected from 2027-01-31: uvicorn starts 4 worker processes: ' +
          '`--workers 4`. Run one process per container and scale with replicas; exempt with annotation ' +
          'oneproc.dev/allow-multiple-workers.',
      ],
    });
    expect(s.logs.at(-1)).toMatchObject({ mode: 'warn', verdict: 'warned', enforceFrom: '2027-01-31' });
    const unauthorized = await s.send('/validate', { object: exempted(), username: 'bob' });
    expect(unauthorized.response.allowed).toBe(true);
    expect(unauthorized.response.warnings?.[0]).toMatch(
      /^This will be rejected from 2027-01-31: user "bob" may not add or change an exemption/,
    );
    expect(unauthorized.response.warnings?.[1]).toMatch(
      /^container "api": This will be rejected from 2027-01-31: uvicorn/,
    );
    expect(await s.metrics()).toContain(
      'oneproc_webhook_requests_total{kind="Deployment",operation="CREATE",verdict="warned",mode="warn"}',
    );
  });

  it('does not promise a rejection for what enforce mode also admits (an UPDATE of an old violation)', async () => {
    const oldObject = workload('Deployment', 'api', [UVICORN_4]);
    const object = workload('Deployment', 'api', [{ ...UVICORN_4, image: 'python:3.13' }]);
    const answer = await s.send('/validate', { operation: 'UPDATE', object, oldObject });
    expect(answer.response.warnings).toEqual([
      expect.stringMatching(/^container "api" \(already before this update\): uvicorn starts 4/),
    ]);
  });

  it('enforces from 00:00 UTC of the day', async () => {
    clock = new Date('2027-01-31T00:00:00Z');
    const answer = await s.send('/validate', violating);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toMatch(/uvicorn starts 4 worker processes/);
    expect(s.logs.at(-1)).toMatchObject({ mode: 'enforce', verdict: 'denied' });
    expect(s.logs.at(-1)).not.toHaveProperty('enforceFrom');
  });

  it('leaves labelled namespaces in their own mode on both sides of the day', async () => {
    for (const at of ['2027-01-01T12:00:00Z', '2027-02-01T12:00:00Z']) {
      clock = new Date(at);
      expect((await s.send('/validate/enforce', violating)).response.allowed).toBe(false);
      const warned = await s.send('/validate/warn', violating);
      expect(warned.response.allowed).toBe(true);
      expect(warned.response.warnings?.[0]).not.toContain('will be rejected');
      expect((await s.send('/validate/off', violating)).response).toEqual({ uid: UID, allowed: true });
    }
  });
});

describe('governance rules (pure)', () => {
  it('reads the escalation day in UTC and refuses dates that do not exist', () => {
    expect(startOfDayUtc('2027-01-31')?.toISOString()).toBe('2027-01-31T00:00:00.000Z');
    for (const bad of ['2027-02-30', '2027-1-31', '31.01.2027', '2027-01-31T00:00:00Z', '']) {
      expect(startOfDayUtc(bad)).toBeUndefined();
    }
    expect(defaultModeAt('warn', '2027-01-31', new Date('2026-01-01'))).toEqual({ mode: 'warn' });
    expect(defaultModeAt('enforce', undefined, new Date('2026-01-01'))).toEqual({ mode: 'enforce' });
  });

  it('finds exemptions on every metadata on the way to the pod spec, including a CronJob job template', () => {
    const cron = workload('CronJob', 'nightly', [UVICORN_4]);
    const spec = cron.spec as {
      jobTemplate: { metadata?: unknown; spec: { template: { metadata: unknown } } };
    };
    spec.jobTemplate.metadata = { annotations: { [EXEMPT]: 'batch' } };
    spec.jobTemplate.spec.template.metadata = { annotations: { [EXEMPT]: 'batch', [UNTIL]: '2030-01-01' } };
    expect(exemptionChanges(cron, undefined).map((c) => `${c.change} ${c.path}`)).toEqual([
      'added spec.jobTemplate.metadata',
      'added spec.jobTemplate.spec.template.metadata',
    ]);
  });
});

describe('judging without an exemption change', () => {
  it('puts the old annotations back, also inside a List, without touching the input', () => {
    const old = exempted({ [UNTIL]: '2030-01-31' });
    const renewed = exempted({ [UNTIL]: '2031-01-31', team: 'shop' });
    const back = withoutChanges(renewed, exemptionChanges(renewed, old));
    expect((back.metadata as { annotations: unknown }).annotations).toEqual({
      [EXEMPT]: 'legacy app, migrating to Redis sessions',
      [UNTIL]: '2030-01-31',
      team: 'shop',
    });
    expect((renewed.metadata as { annotations: Record<string, string> }).annotations[UNTIL]).toBe(
      '2031-01-31',
    );
    const list = { apiVersion: 'v1', kind: 'List', items: [workload('Pod', 'a', [UVICORN_1]), exempted()] };
    const changes = exemptionChanges(list, undefined);
    expect(changes.map((c) => c.path)).toEqual(['items[1].metadata']);
    const stripped = withoutChanges(list, changes) as { items: { metadata: { annotations: object } }[] };
    expect(stripped.items[1].metadata.annotations).toEqual({});
    expect(exemptionChanges(stripped, undefined)).toEqual([]);
  });
});

describe('metrics the alert rules read', () => {
  it('exports readiness and counts fail-closed refusals by reason', async () => {
    const s = await startServer({});
    try {
      const text = await s.metrics();
      expect(text).toContain('oneproc_webhook_ready 1');
      expect(text).toContain('oneproc_webhook_fail_closed_total{reason="error"} 0');
      expect(text).toContain('oneproc_webhook_fail_closed_total{reason="unjudged"} 0');
    } finally {
      await s.stop();
    }
    const body = JSON.stringify(admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_1]) }));
    const broken = () => {
      throw new Error('engine down');
    };
    const enforced = reviewBody(body, { mode: 'enforce', check: broken });
    expect(enforced.decision).toMatchObject({ verdict: 'errored', failClosed: 'error' });
    const warned = reviewBody(body, { mode: 'warn', check: broken, enforceFrom: '2027-01-31' });
    expect(warned.decision).not.toHaveProperty('failClosed');
    expect(warned.review.response.warnings).toEqual([
      'oneproc failed to review this request: engine down; warn mode admits the request until 2027-01-31; ' +
        'from then on it will be rejected.',
    ]);
    const metrics = new WebhookMetrics({ defaultMetrics: false });
    metrics.observe(enforced.decision, 0.001);
    metrics.observe({ ...enforced.decision, verdict: 'denied', failClosed: 'unjudged' }, 0.001);
    const text = await metrics.registry.metrics();
    expect(text).toContain('oneproc_webhook_fail_closed_total{reason="error"} 1');
    expect(text).toContain('oneproc_webhook_fail_closed_total{reason="unjudged"} 1');
    expect(text).toContain('oneproc_webhook_ready 0');
  });
});
