/**
 * Notes: what `oneproc check` could not follow is said, with the reason and the place, in every
 * format — so that "0 errors" means checked and fine — and never changes the exit status.
 */
import '@microsoft/jest-sarif';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { runCheck } from './run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-notes-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function check(argv: string[]) {
  return runCheck(argv, { cwd: dir });
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: shop/web
`;

describe('an entrypoint script that the build context does not hold', () => {
  beforeEach(() => {
    write(
      'Dockerfile',
      'FROM python:3.12\nCOPY app.py /app/\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["web"]\n',
    );
    write('app.py', 'print(1)\n');
    write('deploy.yaml', DEPLOYMENT);
  });

  it('is a note in text, naming the Dockerfile line and the workload, and the check still passes', async () => {
    const r = await check(['.']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "Dockerfile:3  note  Deployment shop/web  container app\n  /docker-entrypoint.sh is not copied into the image by the Dockerfile's COPY, ADD or RUN mv/cp/ln (it may come from the base image python:3.12 or a RUN step), so what it starts was not followed\n",
    );
    expect(r.out).toMatch(/0 errors, 0 warnings, 1 note on what was not followed in/);
  });

  it('is in the JSON report and on standard error', async () => {
    const r = await check(['-f', 'json', '.']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.findings).toEqual([]);
    expect(report.notes).toEqual([
      {
        message: expect.stringMatching(/^\/docker-entrypoint\.sh is not copied into the image/),
        file: 'Dockerfile',
        line: 3,
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'app',
      },
    ]);
    expect(r.err).toMatch(/^oneproc check: note: Dockerfile:3: \/docker-entrypoint\.sh is not copied/);
  });

  it('is a SARIF result of level note under the not-followed rule', async () => {
    const r = await check(['-f', 'sarif', '.']);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.out) as Log;
    expect(log).toBeValidSarifLog();
    const run0 = log.runs[0];
    const results = run0.results ?? [];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ruleId: 'not-followed', level: 'note' });
    expect(results[0].locations?.[0].physicalLocation?.region?.startLine).toBe(3);
    expect(run0.tool.driver.rules?.[results[0].ruleIndex ?? -1]?.id).toBe('not-followed');
  });
});

it('an image root without the script says so too', async () => {
  write('rootfs/app/app.py', 'print(1)\n');
  write('config.json', JSON.stringify({ config: { Entrypoint: ['/start.sh'], WorkingDir: '/app' } }));
  const r = await check(['-f', 'json', '--image-root', 'rootfs']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out).notes).toEqual([
    expect.objectContaining({ message: '/start.sh is not in the image, so what it starts was not followed' }),
  ]);
});
