/** The engine's rule fixtures (test/fixtures/servers/<server>/*.yaml) and the engine's verdict on them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Container, type IContainer } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { checkContainer } from '../../src/engine';

export const FIXTURES_ROOT = path.join(__dirname, '..', 'fixtures', 'servers');

/** `[<server>/<file>: <case name>, container]` for every case, in a stable order. */
export function ruleFixtures(): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (!fs.existsSync(FIXTURES_ROOT)) return out;
  for (const server of fs.readdirSync(FIXTURES_ROOT).sort()) {
    const dir = path.join(FIXTURES_ROOT, server);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const cases = (parse(fs.readFileSync(path.join(dir, file), 'utf8')) ?? []) as Array<{
        name: string;
        container: unknown;
      }>;
      for (const c of cases) out.push([`${server}/${file}: ${c.name}`, c.container]);
    }
  }
  return out;
}

/** The strongest non-exempted severity the engine reports for a container (default severities). */
export function engineVerdict(container: unknown): 'error' | 'warning' | 'none' {
  const findings = checkContainer(container, { path: 'container' }).filter((f) => !f.exempted);
  if (findings.some((f) => f.severity === 'error')) return 'error';
  return findings.length ? 'warning' : 'none';
}

/**
 * Whether the API server could admit this container at all (the schema is checked before admission
 * control runs), with a name filled in when the fixture leaves it out.
 */
export function isValidContainer(container: unknown): container is Record<string, unknown> {
  if (container === null || typeof container !== 'object' || Array.isArray(container)) return false;
  try {
    new Container({ name: 'app', ...(container as object) } as IContainer).validate();
    return true;
  } catch {
    return false;
  }
}
