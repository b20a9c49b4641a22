/**
 * A file named on the command line whose name lies inside the working directory but whose links lead
 * out of it is not read: a repository checked in CI must not make oneproc read a file of the machine.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from './run-check';

let top: string;
let repo: string;
let host: string;
beforeEach(() => {
  top = mkdtempSync(path.join(tmpdir(), 'oneproc-named-'));
  repo = path.join(top, 'repo');
  host = path.join(top, 'host');
  mkdirSync(path.join(repo, 'k8s'), { recursive: true });
  mkdirSync(host);
  writeFileSync(
    path.join(host, 'secret.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: {name: HOSTSECRET}\nspec:\n  containers: [{name: c, command: [uvicorn, main:app, --workers, "97"]}]\n',
  );
  writeFileSync(
    path.join(host, 'Dockerfile'),
    'FROM python:3.12\nCMD ["uvicorn", "main:app", "--workers", "97"]\n',
  );
});
afterEach(() => rmSync(top, { recursive: true, force: true }));

function check(argv: string[]) {
  return runCheck(argv, { cwd: repo });
}

it('refuses a named manifest that links out of the working directory, naming where it leads', async () => {
  symlinkSync(path.join(host, 'secret.yaml'), path.join(repo, 'k8s', 'deploy.yaml'));
  const r = await check(['-f', 'json', 'k8s/deploy.yaml']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('k8s/deploy.yaml');
  expect(r.err).toContain('outside the working directory; oneproc does not read it');
  expect(r.out).not.toContain('HOSTSECRET');
  expect(JSON.parse(r.out).findings).toEqual([]);
});

it('refuses a named Dockerfile that links out of the working directory', async () => {
  symlinkSync(path.join(host, 'Dockerfile'), path.join(repo, 'Dockerfile'));
  const r = await check(['-f', 'json', '--dockerfile', 'Dockerfile']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('outside the working directory; oneproc does not read it');
  expect(JSON.parse(r.out).findings).toEqual([]);
});

it('still reads a file named by its own path outside the working directory, and links that stay inside', async () => {
  const outside = await check(['-f', 'json', path.join(host, 'secret.yaml')]);
  expect(outside.code).toBe(1);
  expect(JSON.parse(outside.out).findings).toHaveLength(1);
  writeFileSync(
    path.join(repo, 'k8s', 'real.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, command: [uvicorn, main:app, --workers, "2"]}]\n',
  );
  symlinkSync('real.yaml', path.join(repo, 'k8s', 'alias.yaml'));
  const inside = await check(['-f', 'json', 'k8s/alias.yaml']);
  expect(inside.code).toBe(1);
  expect(JSON.parse(inside.out).findings[0]).toMatchObject({ workers: 2 });
});
