/**
 * One image run by many containers: its Python entry point is parsed once, and the parser's memory
 * (WebAssembly, which only grows) is freed, so every container gets its verdict. Before, each of 200
 * containers re-parsed a 530 KB main.py and never freed the tree: minutes of work, gigabytes, and once
 * the memory ran out the remaining containers silently got no finding.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../cli/run-check';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-shared-'));
  const items = Array.from({ length: 90_000 }, (_, i) => i).join(',');
  writeFileSync(
    path.join(dir, 'main.py'),
    `import uvicorn\nBIG = [${items}]\nuvicorn.run("main:app", workers=4)\n`,
  );
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    'FROM python:3.12\nWORKDIR /app\nCOPY main.py /app/\nCMD ["python", "main.py"]\n',
  );
  const containers = Array.from({ length: 200 }, (_, i) => `    - name: c${i}\n      image: shop/web`).join(
    '\n',
  );
  writeFileSync(
    path.join(dir, 'pod.yaml'),
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n${containers}\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('gives each of 200 containers of one image its finding from the shared main.py', async () => {
  const { code, out } = await runCheck(['-f', 'json', '.'], { cwd: dir });
  expect(code).toBe(1);
  const report = JSON.parse(out);
  expect(report.findings).toHaveLength(200);
  expect(new Set(report.findings.map((f: { container: string }) => f.container)).size).toBe(200);
  for (const f of report.findings)
    expect(f).toMatchObject({ rule: 'uvicorn', workers: 4, file: 'main.py', line: 3 });
}, 120_000);
