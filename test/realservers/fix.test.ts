/**
 * The fixed command, run for real: `oneproc fix` rewrites a multi-worker container, and Debian's
 * uvicorn, gunicorn and uWSGI, started with the fixed command, args and env as the kubelet would
 * resolve them, run one worker process each (counted as test/realservers/harness.ts counts them).
 */
import { rm } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { runFix } from '../cli/run-check';
import {
  expandKubernetes,
  type Family,
  kubeletEnv,
  makeAppDir,
  missingMessage,
  observe,
  stopAll,
} from './harness';

interface Case {
  readonly family: Family;
  readonly container: string;
  readonly workers: number;
}

const UWSGI = '[uwsgi, --plugin, python3, --http-socket, "127.0.0.1:8000", --wsgi-file, wsgi.py, --master]';
const CASES: readonly Case[] = [
  { family: 'uvicorn', container: 'command: [uvicorn, asgi:app, --workers, "4"]', workers: 4 },
  {
    family: 'gunicorn',
    container: 'command: [gunicorn, -w, "$(W)", wsgi:app]\n          env: [{name: W, value: "3"}]',
    workers: 3,
  },
  {
    family: 'uwsgi',
    container: `command: ${UWSGI}\n          env: [{name: UWSGI_PROCESSES, value: "4"}]`,
    workers: 4,
  },
];

function manifest(c: Case): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${c.family}}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app\n          ${c.container}\n`;
}

function fixed(text: string): Promise<{ out: string; err: string; code: number }> {
  return runFix(['-'], { cwd: process.cwd(), stdin: text });
}

afterAll(() => stopAll());

describe.each(CASES)('$family, fixed and started for real', (c) => {
  it('runs one worker process, and the replicas carry the old count', async () => {
    const missing = missingMessage(c.family);
    if (missing) throw new Error(missing);
    const r = await fixed(manifest(c));
    expect(r.err).toContain(`${c.family}: 2 pods × ${c.workers} workers → ${2 * c.workers} pods × 1 process`);
    const doc = parseDocument(r.out).toJS();
    expect(doc.spec.replicas).toBe(2 * c.workers);
    const container = doc.spec.template.spec.containers[0];
    const env = kubeletEnv(container.env ?? []);
    const argv = [...container.command, ...(container.args ?? [])].map((w: string) =>
      expandKubernetes(w, env),
    );
    const dir = await makeAppDir();
    try {
      const obs = await observe({ family: c.family, argv, env, dir, expected: 1 });
      expect({ ready: obs.ready, workers: obs.workers, strays: obs.survivors }).toEqual({
        ready: true,
        workers: 1,
        strays: [],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
