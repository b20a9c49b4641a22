/**
 * The chart's optional cluster-side agents, rendered with the real helm: the read-only RBAC for
 * `oneproc audit` and the `oneproc observe` DaemonSet. Both are off by default.
 */
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ServiceAccount } from 'kubernetes-models/v1';
import { find, type K8sObject, notes, startFakeApiServer, template, templateError } from './helm';

const NS = 'oneproc-system';

function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

describe('agents are off by default', () => {
  it('renders no DaemonSet, ClusterRole or binding without being asked', async () => {
    const objects = await template();
    expect(
      objects.filter((o) => ['DaemonSet', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)),
    ).toEqual([]);
  });
});

describe('audit.rbac.create', () => {
  it('grants list, and only list, on pods, the seven workload kinds and namespaces to its own ServiceAccount', async () => {
    const objects = await template({ 'audit.rbac.create': true });
    const sa = named(objects, 'ServiceAccount', 'oneproc-audit');
    const role = named(objects, 'ClusterRole', 'oneproc-audit');
    const binding = named(objects, 'ClusterRoleBinding', 'oneproc-audit');
    new ServiceAccount(sa as never).validate();
    new ClusterRole(role as never).validate();
    new ClusterRoleBinding(binding as never).validate();
    expect(sa.metadata.namespace).toBe(NS);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'replicationcontrollers'], verbs: ['list'] },
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
        verbs: ['list'],
      },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    ]);
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'oneproc-audit',
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'oneproc-audit', namespace: NS }]);
  });
});

describe('observe.enabled', () => {
  it('runs oneproc observe on every node with hostPID and no other privilege', async () => {
    const objects = await template({ 'observe.enabled': true, 'observe.intervalSeconds': 30 });
    const ds = find(objects, 'DaemonSet');
    new DaemonSet(ds as never).validate();
    const pod = ds.spec.template.spec;
    expect(ds.metadata.name).toBe('oneproc-observe');
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.containers;
    expect(container.command).toEqual([
      '/nodejs/bin/node',
      '/app/node_modules/oneproc/bin/oneproc.js',
      'observe',
    ]);
    expect(container.args).toEqual([
      '--serve',
      '--metrics-port',
      '9091',
      '--interval',
      '30',
      '--log-dir',
      '/var/log/containers',
    ]);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts.every((m: { readOnly?: boolean }) => m.readOnly === true)).toBe(true);
    expect(pod.volumes.map((v: { hostPath: { path: string } }) => v.hostPath.path)).toEqual([
      '/var/log/containers',
      '/var/log/pods',
    ]);
    // Its selector must not match the webhook's pods (or the webhook Service would send reviews to it).
    expect(ds.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('observe');
  });

  it('runs in a namespace of its own at the privileged Pod Security level, which hostPID and hostPath need', async () => {
    const objects = await template({ 'observe.enabled': true });
    const namespace = find(objects, 'Namespace');
    expect(namespace.metadata.name).toBe('oneproc-observe');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'oneproc.dev/mode': 'off',
    });
    expect(find(objects, 'DaemonSet').metadata.namespace).toBe('oneproc-observe');
    // The webhook stays in the release namespace, which manifests/ labels restricted.
    expect(find(objects, 'Deployment').metadata.namespace).toBe(NS);
    expect((await template()).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  it('uses a namespace you manage, or the release namespace, without creating it', async () => {
    const mine = await template({
      'observe.enabled': true,
      'observe.namespace': 'node-agents',
      'observe.createNamespace': false,
    });
    expect(mine.filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(find(mine, 'DaemonSet').metadata.namespace).toBe('node-agents');
    const release = await template({ 'observe.enabled': true, 'observe.namespace': NS });
    expect(release.filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(find(release, 'DaemonSet').metadata.namespace).toBe(NS);
    expect(await templateError({ 'observe.enabled': true, 'observe.namespace': 'Not_A_Name' })).toContain(
      'observe.namespace',
    );
  });

  it('says in the install notes where it runs and the Pod Security level it needs', async () => {
    const api = await startFakeApiServer();
    try {
      const created = await notes(api, { 'observe.enabled': true });
      expect(created).toContain(
        'The observe agent runs in namespace oneproc-observe, created with Pod Security level privileged: ' +
          'hostPID and hostPath volumes are forbidden by the baseline and restricted levels.',
      );
      const managed = await notes(api, { 'observe.enabled': true, 'observe.createNamespace': false });
      expect(managed).toContain(
        'The observe agent runs in namespace oneproc-observe, which must admit privileged pods (pod-security.kubernetes.io/enforce=privileged)',
      );
      expect(await notes(api)).not.toContain('observe agent');
    } finally {
      await api.close();
    }
  });

  it('refuses values the schema does not know', async () => {
    expect(await templateError({ 'observe.interval': 5 })).toContain('interval');
  });
});
