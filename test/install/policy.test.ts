/**
 * `oneproc policy`: the printed objects are valid admissionregistration.k8s.io/v1, and their CEL —
 * evaluated with @bufbuild/cel — flags the direct cases, never errors, and never rejects what the rule
 * engine admits (over the engine's own rule fixtures and the published cases).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { parse, parseAllDocuments } from 'yaml';
import { run } from '../../src/cli/policy';
import { buildPolicy, PolicyOptionError } from '../../src/policy';
import { evaluatePolicy, wrap } from './cel';
import { engineVerdict, FIXTURES_ROOT, isValidContainer, ruleFixtures } from './fixtures';

const repo = path.join(__dirname, '..', '..');
const docsPath = path.join(repo, 'docs', 'install.md');

interface PublishedCase {
  name: string;
  rule: string;
  container: Record<string, unknown>;
  policy: 'deny' | 'allow';
  webhook: 'error' | 'warning' | 'none';
  /** `shell`: the webhook column holds once the shell adapter reads scripts, wrappers and `$(VAR)`. */
  needs?: 'shell';
}

/** Whether the engine's shell adapter reads `sh -c` scripts yet (it lands apart from the rules). */
const shellReady = engineVerdict({ command: ['sh', '-c', 'exec gunicorn -w 4 app:app'] }) === 'error';

const published = parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'policy-cases.yaml'), 'utf8'),
) as PublishedCase[];

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = jest.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  const w2 = jest.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  try {
    const code = await run(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    w1.mockRestore();
    w2.mockRestore();
  }
}

const [policy, ...bindings] = buildPolicy();
const KINDS = ['Pod', 'Deployment', 'CronJob'];

describe('oneproc policy output', () => {
  it('prints the policy and one binding per namespace mode, valid against the Kubernetes schemas', async () => {
    const { code, stdout } = await capture([]);
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJSON());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ValidatingAdmissionPolicy/oneproc',
      'ValidatingAdmissionPolicyBinding/oneproc-enforce',
      'ValidatingAdmissionPolicyBinding/oneproc-warn',
      'ValidatingAdmissionPolicyBinding/oneproc-default',
    ]);
    new ValidatingAdmissionPolicy(docs[0]).validate();
    for (const b of docs.slice(1)) new ValidatingAdmissionPolicyBinding(b).validate();
    expect(docs[0].apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(docs[0].spec.failurePolicy).toBe('Ignore');
    expect(
      docs[0].spec.matchConstraints.resourceRules.flatMap((r: { resources: string[] }) => r.resources),
    ).toEqual([
      'pods',
      'replicationcontrollers',
      'deployments',
      'statefulsets',
      'daemonsets',
      'replicasets',
      'jobs',
      'cronjobs',
    ]);
    for (const rule of docs[0].spec.matchConstraints.resourceRules) {
      expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
    }
  });

  it('routes namespace modes like the webhook: enforce denies, warn warns, off and kube-system are skipped', () => {
    const byName = Object.fromEntries(
      bindings.map((b) => [(b.metadata as { name: string }).name, b.spec as Record<string, unknown>]),
    );
    expect(byName['oneproc-enforce'].validationActions).toEqual(['Deny']);
    expect(byName['oneproc-warn'].validationActions).toEqual(['Warn']);
    expect(byName['oneproc-default'].validationActions).toEqual(['Deny']);
    expect(byName['oneproc-default'].matchResources).toEqual({
      namespaceSelector: {
        matchExpressions: [
          { key: 'oneproc.dev/mode', operator: 'NotIn', values: ['enforce', 'warn', 'off'] },
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
        ],
      },
    });
    for (const spec of Object.values(byName)) expect(spec.policyName).toBe('oneproc');
  });

  it('--action warn makes unlabelled namespaces warn; --exclude-namespace adds to kube-system', async () => {
    const { code, stdout } = await capture([
      '--action',
      'warn',
      '--exclude-namespace',
      'legacy',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const list = JSON.parse(stdout);
    expect(list.kind).toBe('List');
    const def = list.items.find((o: { metadata: { name: string } }) => o.metadata.name === 'oneproc-default');
    expect(def.spec.validationActions).toEqual(['Warn']);
    expect(def.spec.matchResources.namespaceSelector.matchExpressions[1].values).toEqual([
      'kube-system',
      'legacy',
    ]);
  });

  it('rejects bad options with exit code 2 and a message naming the option', async () => {
    expect(await capture(['--action', 'block'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--action must be deny or warn, not 'block'"),
    });
    expect(await capture(['--exclude-namespace', 'Bad_NS'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--exclude-namespace 'Bad_NS' is not a valid namespace name"),
    });
    expect(await capture(['--format', 'xml'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format'),
    });
    expect(await capture(['--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--bogus') });
    expect(() => buildPolicy({ name: 'Not A Name' })).toThrow(PolicyOptionError);
  });
});

describe('policy CEL over the published cases', () => {
  it.each(published.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const kind of KINDS) {
      const verdict = evaluatePolicy(policy, wrap(kind, { containers: [c.container] }));
      expect({ kind, decision: verdict.allowed ? 'allow' : 'deny' }).toEqual({ kind, decision: c.policy });
      if (!verdict.allowed) expect(verdict.message).toContain(`container ${String(c.container.name)} starts`);
    }
    // What the policy rejects, the engine must report as an error: no false positives.
    if (c.policy === 'deny') expect({ engine: engineVerdict(c.container) }).toEqual({ engine: 'error' });
    // Once the rule has landed (its fixtures exist), the engine must agree with the published column.
    if (fs.existsSync(path.join(FIXTURES_ROOT, c.rule)) && (c.needs !== 'shell' || shellReady)) {
      expect({ engine: engineVerdict(c.container) }).toEqual({ engine: c.webhook });
    }
  });

  it('admits an exempted workload, and pods a controller created from a checked template, not pods with a fake owner', () => {
    const container = { name: 'web', command: ['uvicorn', 'main:app', '--workers', '4'] };
    const exempt = { 'oneproc.dev/allow-multiple-workers': 'sessions already in Redis' };
    expect(
      evaluatePolicy(policy, wrap('Deployment', { containers: [container], annotations: exempt })).allowed,
    ).toBe(true);
    expect(
      evaluatePolicy(policy, wrap('Deployment', { containers: [container] }, { annotations: exempt }))
        .allowed,
    ).toBe(true);
    const owned = wrap(
      'Pod',
      { containers: [container] },
      {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true },
        ],
      },
    );
    expect(evaluatePolicy(policy, owned, 'system:serviceaccount:kube-system:replicaset-controller')).toEqual({
      matched: false,
      allowed: true,
    });
    expect(evaluatePolicy(policy, owned, 'system:kube-controller-manager')).toEqual({
      matched: false,
      allowed: true,
    });
    // An ownerReference is a field anyone can write: a hand-made Pod with one is judged.
    expect(evaluatePolicy(policy, owned, 'jane@example.com')).toMatchObject({
      matched: true,
      allowed: false,
    });
    expect(
      evaluatePolicy(policy, wrap('Pod', { containers: [container] }), 'system:node:worker-1').matched,
    ).toBe(false);
  });

  it('judges restartable init containers (sidecars) but not ordinary init containers', () => {
    const server = { name: 'side', command: ['gunicorn', '-w', '4', 'app:app'] };
    const app = { name: 'app', image: 'app' };
    const sidecar = evaluatePolicy(
      policy,
      wrap('Deployment', { containers: [app], initContainers: [{ ...server, restartPolicy: 'Always' }] }),
    );
    expect(sidecar.allowed).toBe(false);
    const init = evaluatePolicy(policy, wrap('Deployment', { containers: [app], initContainers: [server] }));
    expect(init.allowed).toBe(true);
  });

  it('publishes the table in docs/install.md', () => {
    const rows = published.map(
      (c) =>
        `| ${c.name} | ${c.policy === 'deny' ? 'rejected' : '—'} | ${
          { error: 'rejected (error)', warning: 'warning', none: '—' }[c.webhook]
        } |`,
    );
    const table = [
      '| Container | `oneproc policy` | webhook (enforce mode) |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n');
    const start = '<!-- policy-coverage:start -->';
    const end = '<!-- policy-coverage:end -->';
    const docs = fs.readFileSync(docsPath, 'utf8');
    const block = `${start}\n${table}\n${end}`;
    const current = docs.slice(docs.indexOf(start), docs.indexOf(end) + end.length);
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(docsPath, docs.replace(current, block));
    else expect(current).toBe(block);
  });
});

describe('policy CEL over the rule fixtures (test/fixtures/servers)', () => {
  const fixtures = ruleFixtures();
  it('finds the fixture folder', () => {
    expect(fs.existsSync(FIXTURES_ROOT)).toBe(true);
  });
  if (fixtures.length === 0) return;
  it.each(fixtures)('%s: never rejects what the engine admits, never errors', (_name, container) => {
    // The API server rejects a container that does not match the schema before any policy runs.
    if (!isValidContainer(container)) return;
    const named = { name: 'app', ...container };
    for (const kind of KINDS) {
      const verdict = evaluatePolicy(policy, wrap(kind, { containers: [named] }));
      if (!verdict.allowed)
        expect({ kind, engine: engineVerdict(container) }).toEqual({ kind, engine: 'error' });
    }
  });
});
