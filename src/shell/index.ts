/**
 * Container → simple commands, with Kubernetes `command`/`args` semantics.
 * PLACEHOLDER: joins command and args and reads literal env only; the full implementation
 * (expansion, `sh -c`, wrappers) replaces this behind the same function.
 */
import type { Env, EnvEntry, ShellResult, SimpleCommand, Word } from './types';

export type { Env, EnvEntry, ShellProblem, ShellResult, SimpleCommand, Word } from './types';

/**
 * Reads a Kubernetes container object (any JSON value) and returns the commands it runs.
 * `basePath` is the container's field path, e.g. `spec.containers[0]`. Never throws.
 */
export function containerCommands(container: unknown, basePath: string): ShellResult {
  if (!isObject(container)) return { commands: [], problems: [] };
  const env = new Map<string, EnvEntry>();
  if (Array.isArray(container.env)) {
    container.env.forEach((e: unknown, i: number) => {
      if (isObject(e) && typeof e.name === 'string') {
        const path = `${basePath}.env[${i}]`;
        env.set(
          e.name,
          typeof e.value === 'string'
            ? { name: e.name, value: e.value, path: `${path}.value` }
            : { name: e.name, unknown: 'valueFrom', path },
        );
      }
    });
  }
  const words = (field: 'command' | 'args'): Word[] =>
    Array.isArray(container[field])
      ? container[field].map((t: unknown, i: number) => ({
          text: String(t),
          path: `${basePath}.${field}[${i}]`,
        }))
      : [];
  const command = words('command');
  const args = words('args');
  const argv = [...command, ...args];
  if (argv.length === 0) return { commands: [], problems: [] };
  const cmd: SimpleCommand = { argv, env: env as Env, wrappers: [], entrypointUnknown: command.length === 0 };
  return { commands: [cmd], problems: [] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
