/** Hand-built SimpleCommands for rule unit tests: words get paths `command[i]`, env entries `env[i]`. */
import type { EnvEntry, SimpleCommand, Word } from '../../src/shell/types';

export type EnvSpec = Record<string, string | { unknown: string }>;

export function words(texts: readonly (string | Word)[]): Word[] {
  return texts.map((t, i) => (typeof t === 'string' ? { text: t, path: `command[${i}]` } : t));
}

export function command(texts: readonly (string | Word)[], env: EnvSpec = {}): SimpleCommand {
  const entries = new Map<string, EnvEntry>();
  Object.entries(env).forEach(([name, spec], i) => {
    entries.set(
      name,
      typeof spec === 'string'
        ? { name, value: spec, path: `env[${i}].value` }
        : { name, unknown: spec.unknown, path: `env[${i}]` },
    );
  });
  return { argv: words(texts), env: entries, wrappers: [] };
}

/** A word whose value cannot be known here, as the shell layer produces for valueFrom or `$(nproc)`. */
export function unknownWord(text: string, why: string, path = 'command[9]'): Word {
  return { text, unknown: why, path };
}
