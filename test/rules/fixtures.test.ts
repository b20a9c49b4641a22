/**
 * Walks every fixture under test/fixtures/servers/<server>/{pass,fail,unknown}.yaml. Each file is a YAML
 * list of cases:
 *   - name: uvicorn --workers 4
 *     container: { command: [uvicorn, main:app, --workers, "4"] }
 *     expect: { rule: uvicorn, severity: error, workers: 4, path: container.command[3] }
 * `expect: none` means no finding; `expect` may also be a list (one entry per finding, in order).
 * Only the keys given in `expect` are compared (plus `message` substrings under `messageIncludes`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { checkContainer } from '../../src/engine';
import type { Finding } from '../../src/types';

interface Expected {
  rule?: string;
  severity?: string;
  workers?: number | null;
  path?: string;
  category?: string;
  messageIncludes?: string | string[];
}
interface Case {
  name: string;
  container: unknown;
  severity?: Record<string, string>;
  expect: 'none' | Expected | Expected[];
}

const root = path.join(__dirname, '..', 'fixtures', 'servers');

function loadCases(): Array<[string, Case]> {
  const out: Array<[string, Case]> = [];
  if (!fs.existsSync(root)) return out;
  for (const server of fs.readdirSync(root).sort()) {
    const dir = path.join(root, server);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const cases = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Case[];
      for (const c of cases ?? []) out.push([`${server}/${file}: ${c.name}`, c]);
    }
  }
  return out;
}

function project(f: Finding, e: Expected): Expected {
  const got: Expected = {};
  if ('rule' in e) got.rule = f.rule;
  if ('severity' in e) got.severity = f.severity;
  if ('workers' in e) got.workers = f.workers;
  if ('path' in e) got.path = f.path;
  if ('category' in e) got.category = f.category;
  return got;
}

const cases = loadCases();

describe('rule fixtures', () => {
  it('has fixture files', () => {
    expect(fs.existsSync(root)).toBe(true);
  });
  if (cases.length === 0) return;
  it.each(cases)('%s', (_name, c) => {
    const findings = checkContainer(c.container, {
      path: 'container',
      severity: c.severity as never,
    });
    const expected = c.expect === 'none' ? [] : Array.isArray(c.expect) ? c.expect : [c.expect];
    const summary = findings.map(
      (f) => `${f.severity} ${f.rule} workers=${f.workers} at ${f.path}: ${f.message}`,
    );
    expect({ count: findings.length, summary }).toEqual({
      count: expected.length,
      summary: expect.anything(),
    });
    expected.forEach((e, i) => {
      const { messageIncludes, ...fields } = e;
      expect(project(findings[i], fields)).toEqual(fields);
      for (const part of [messageIncludes ?? []].flat()) expect(findings[i].message).toContain(part);
    });
  });
});
