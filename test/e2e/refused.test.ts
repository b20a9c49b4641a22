/**
 * The command that failed in test/e2e/failure.test.ts, written as a Pod, is refused by every door:
 * `oneproc check` in CI (the built CLI, as a user runs it) and the admission webhook's review.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { checkObject } from '../../src/manifest';
import { review } from '../../src/webhook/review';
import { figure } from './harness';

const SCENE = 'The same command, refused before it runs';

const exec = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'fastapi-sessions', namespace: 'shop' },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'ghcr.io/example/fastapi-sessions:1.0.0',
        command: ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596', '--workers', '4'],
      },
    ],
  },
};

describe('the failing command, as a Pod', () => {
  it('fails oneproc check with the file, line, server and count', async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js')))
      throw new Error('run `npm run build` first (npm test does)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-e2e-pod-'));
    try {
      const file = path.join(dir, 'pod.json');
      fs.writeFileSync(file, JSON.stringify(POD, null, 2));
      const result = await exec('node', [
        path.join(ROOT, 'bin/oneproc.js'),
        'check',
        '--format',
        'json',
        file,
      ]).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      const [finding] = JSON.parse(result.stdout).findings;
      figure(
        SCENE,
        `oneproc check: exit ${result.code}, ${finding?.rule} starts ${finding?.workers} workers at ${finding?.path}`,
      );
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).findings).toEqual([
        expect.objectContaining({
          severity: 'error',
          rule: 'uvicorn',
          workers: 4,
          path: 'spec.containers[0].command[7]',
          kind: 'Pod',
          name: 'fastapi-sessions',
          container: 'app',
        }),
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is denied by the webhook with 403 and a message naming the container, server and count', () => {
    const body = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'e2e-0001',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'shop',
        name: 'fastapi-sessions',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        object: POD,
        dryRun: false,
      },
    };
    const { review: answer, decision } = review(body, { mode: 'enforce', check: checkObject });
    figure(
      SCENE,
      `the webhook (enforce): allowed ${answer.response.allowed}, ${answer.response.status?.code} ${answer.response.status?.reason ?? ''}`.trim(),
    );
    expect(answer.response.uid).toBe('e2e-0001');
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(403);
    expect(answer.response.status?.message).toMatch(/app/);
    expect(answer.response.status?.message).toMatch(/uvicorn/i);
    expect(answer.response.status?.message).toContain('4 worker processes');
    expect(decision).toMatchObject({ verdict: 'denied', rules: ['uvicorn'] });
  });
});
