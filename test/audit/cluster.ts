/** The objects the API-server stand-in serves in the audit tests. */

function meta(name: string, uid: string, owner?: { kind: string; uid: string }) {
  return {
    name,
    namespace: 'shop',
    uid,
    ...(owner
      ? {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: owner.kind, name: 'x', uid: owner.uid, controller: true },
          ],
        }
      : {}),
  };
}
const podSpec = (command: string[]) => ({ containers: [{ name: 'app', image: 'python:3.12', command }] });
const UVICORN4 = ['uvicorn', 'main:app', '--workers', '4'];

/** Deployment web (4 workers) with its ReplicaSet and 3 Pods, Deployment api (1), a bare Pod, a CronJob and its Job. */
export const CLUSTER = {
  deployments: [
    { metadata: meta('web', 'd-web'), spec: { template: { metadata: {}, spec: podSpec(UVICORN4) } } },
    {
      metadata: meta('api', 'd-api'),
      spec: { template: { metadata: {}, spec: podSpec(['uvicorn', 'main:app']) } },
    },
  ],
  replicasets: [
    {
      metadata: meta('web-7d4b9c', 'rs-web', { kind: 'Deployment', uid: 'd-web' }),
      spec: { template: { spec: podSpec(UVICORN4) } },
    },
  ],
  pods: [
    ...[1, 2, 3].map((i) => ({
      metadata: meta(`web-7d4b9c-${i}`, `p-web-${i}`, { kind: 'ReplicaSet', uid: 'rs-web' }),
      spec: podSpec(UVICORN4),
    })),
    { metadata: meta('debug', 'p-debug'), spec: podSpec(['gunicorn', '-w', '3', 'app:app']) },
  ],
  cronjobs: [
    {
      metadata: meta('report', 'cj-report'),
      spec: { jobTemplate: { spec: { template: { spec: podSpec(['gunicorn', '-w2', 'app:app']) } } } },
    },
  ],
  jobs: [
    {
      metadata: meta('report-29', 'j-report', { kind: 'CronJob', uid: 'cj-report' }),
      spec: { template: { spec: podSpec(['gunicorn', '-w2', 'app:app']) } },
    },
  ],
};
