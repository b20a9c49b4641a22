/**
 * A finding belongs to its workload: a script of the image that two workloads run is reported for each
 * of them, and an exemption on one covers only that one — in a `List` (one document, as
 * `kubectl get -o yaml` prints it) as in separate documents.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-workloads-'));
  write('Dockerfile', 'FROM python:3.12\nCOPY start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n');
  write('start.sh', '#!/bin/sh\nexec gunicorn --workers 4 app:app\n');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

async function check(argv: string[]) {
  const { code, out } = await runCheck(argv, { cwd: dir });
  return { code, report: JSON.parse(out) as { findings: Array<Record<string, unknown>> } };
}

const deployment = (name: string, exempt: boolean) => `
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ${name}
      namespace: shop${exempt ? '\n      annotations:\n        oneproc.dev/allow-multiple-workers: "legacy sessions, moving to Redis"' : ''}
    spec:
      template:
        spec:
          containers:
            - name: web
              image: shop/web`;

const brief = (f: Record<string, unknown>) => ({
  kind: f.kind,
  namespace: f.namespace,
  name: f.name,
  container: f.container,
  file: f.file,
  line: f.line,
  exempted: f.exempted !== undefined,
});

describe('a script shared by two workloads of one List', () => {
  it('is reported for each workload, and the exemption of the first does not hide the second', async () => {
    write(
      'k8s/list.yaml',
      `apiVersion: v1\nkind: List\nitems:${deployment('legacy', true)}${deployment('api', false)}\n`,
    );
    const { code, report } = await check(['--format', 'json', 'k8s', '--dockerfile', 'Dockerfile']);
    expect(report.findings.map(brief)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'shop',
        name: 'legacy',
        container: 'web',
        file: 'start.sh',
        line: 2,
        exempted: true,
      },
      {
        kind: 'Deployment',
        namespace: 'shop',
        name: 'api',
        container: 'web',
        file: 'start.sh',
        line: 2,
        exempted: false,
      },
    ]);
    expect(code).toBe(1);
  });

  it('is reported for each workload when neither is exempted', async () => {
    write(
      'k8s/list.yaml',
      `apiVersion: v1\nkind: List\nitems:${deployment('api', false)}${deployment('admin', false)}\n`,
    );
    const { code, report } = await check(['--format', 'json', 'k8s', '--dockerfile', 'Dockerfile']);
    expect(report.findings.map((f) => f.name)).toEqual(['api', 'admin']);
    expect(code).toBe(1);
  });

  it('is reported once per workload, however many of its commands reach the same line', async () => {
    write('k8s/list.yaml', `apiVersion: v1\nkind: List\nitems:${deployment('api', false)}\n`);
    const { report } = await check(['--format', 'json', 'k8s', '--dockerfile', 'Dockerfile']);
    expect(report.findings.map((f) => f.name)).toEqual(['api']);
  });
});

describe('a script shared by two images, or two compose services', () => {
  it('is reported for each Dockerfile that runs it, each finding naming its own', async () => {
    write('worker.dockerfile', 'FROM python:3.12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n');
    const { code, report } = await check(['--format', 'json', '.']);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.file, f.line, (f.chain as string[])[0]])).toEqual([
      ['start.sh', 2, 'Dockerfile:3'],
      ['start.sh', 2, 'worker.dockerfile:3'],
    ]);
  });

  it('is reported for each compose service that runs it', async () => {
    write(
      'compose.yaml',
      'services:\n  web:\n    build: .\n  admin:\n    build: .\n    environment:\n      ROLE: admin\n',
    );
    const { report } = await check(['--format', 'json', '.']);
    expect(report.findings.map((f) => [f.kind, f.name, f.file])).toEqual([
      ['compose service', 'web', 'start.sh'],
      ['compose service', 'admin', 'start.sh'],
    ]);
  });
});
