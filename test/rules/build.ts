/** Hand-built commands for rule unit tests: what the shell layer would hand a rule. */
import type { EnvEntry, SimpleCommand } from '../../src/shell/types';

/** An env value: a literal string, or `{ unknown: reason }` for valueFrom/envFrom. */
export type EnvSpec = Record<string, string | { unknown: string }>;

/**
 * `argv` words get paths `container.args[i]`; a word written `?text` is unknown (as the shell layer
 * marks `$(nproc)` or `$(W)` from valueFrom), with the reason `test reason`.
 */
export function command(argv: readonly string[], env: EnvSpec = {}): SimpleCommand {
  const entries = new Map<string, EnvEntry>();
  Object.entries(env).forEach(([name, spec], i) => {
    const path = `container.env[${i}]`;
    entries.set(
      name,
      typeof spec === 'string'
        ? { name, value: spec, path: `${path}.value` }
        : { name, unknown: spec.unknown, path },
    );
  });
  return {
    argv: argv.map((text, i) =>
      text.startsWith('?')
        ? { text: text.slice(1), unknown: 'test reason', path: `container.args[${i}]` }
        : { text, path: `container.args[${i}]` },
    ),
    env: entries,
    wrappers: [],
  };
}
