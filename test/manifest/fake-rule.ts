/**
 * A server family that exists only in these tests, so the manifest reader can be tested through
 * `checkObject({ rules })` independently of the built-in rules: `fake-server --workers N`.
 */
import type { ServerRule } from '../../src/rules/types';

export const fakeServer: ServerRule = {
  id: 'fake-server',
  title: 'fake-server',
  category: 'web',
  recognise: (cmd) => cmd.argv[0]?.text === 'fake-server',
  decide: (cmd) => {
    const i = cmd.argv.findIndex((w) => w.text === '--workers');
    const value = i >= 0 ? cmd.argv[i + 1] : undefined;
    if (!value) return { outcome: 'single' };
    const n = Number(value.text);
    if (!Number.isInteger(n)) {
      return {
        outcome: 'unknown',
        evidence: `--workers ${value.text}`,
        path: value.path,
        why: 'not a number',
      };
    }
    return n > 1
      ? { outcome: 'multiple', workers: n, evidence: `--workers ${value.text}`, path: value.path }
      : { outcome: 'single' };
  },
  fix: () => 'drop `--workers`',
};

export const RULES = [fakeServer];

/** A container that starts `workers` fake-server processes. */
export function container(name: string, workers = 4): Record<string, unknown> {
  return { name, image: 'example/app:1', command: ['fake-server'], args: ['--workers', String(workers)] };
}
