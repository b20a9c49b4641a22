/**
 * Every rule id a finding can carry is documented where a user looks it up: docs/rules.md, and the
 * SARIF rule descriptors code scanning shows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toSarif } from '../../src/cli/format-sarif';
import { RULES } from '../../src/rules';
import type { Finding } from '../../src/types';

const ENGINE_IDS = ['shell', 'limit', 'internal'];
const doc = fs.readFileSync(path.join(__dirname, '../../docs/rules.md'), 'utf8');

/** The ids in the first column of docs/rules.md's tables. */
const documented = new Set([...doc.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]));

describe('docs/rules.md', () => {
  it.each([...RULES.map((r) => r.id), ...ENGINE_IDS])('documents the rule id %s', (id) => {
    expect(documented.has(id)).toBe(true);
  });

  it('lists the server rules in the order the engine tries them', () => {
    const order = [...documented].filter((id) => !ENGINE_IDS.includes(id));
    expect(order).toEqual(RULES.map((r) => r.id));
  });
});

describe('SARIF rule descriptors', () => {
  it.each([...RULES.map((r) => r.id), ...ENGINE_IDS])('describe %s with its title, help and level', (id) => {
    const finding: Finding = {
      rule: id,
      category: RULES.find((r) => r.id === id)?.category ?? 'web',
      severity: 'warning',
      message: 'm',
      path: 'spec.containers[0].command[0]',
      workers: null,
      origin: { file: 'k8s/pod.yaml', line: 3 },
    };
    const log = toSarif([finding], { cwd: process.cwd(), inputErrors: [] });
    const [rule] = log.runs[0].tool.driver.rules ?? [];
    expect(rule.id).toBe(id);
    const title = RULES.find((r) => r.id === id)?.title;
    // A server rule is named by its title; an engine id has its own wording, not the generic fallback.
    if (title) expect(rule.shortDescription?.text).toContain(title);
    else expect(rule.shortDescription?.text).not.toMatch(/started with more than one worker/);
    expect(rule.help?.text).toContain('oneproc.dev/allow-multiple-workers');
    expect(rule.defaultConfiguration?.level).toMatch(/^(error|warning)$/);
  });
});
