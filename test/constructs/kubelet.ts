/**
 * What the kubelet does with a container's env and args, for tests that run the synthesized
 * containers' settings for real: resolve each env var in order (a `$(VAR)` reference sees only the
 * variables defined before it; `valueFrom` reads the Secret or ConfigMap), then expand `$(VAR)` in
 * command and args from the whole env. `$$` is a literal `$`; a reference to an unknown variable stays
 * as written.
 * @see https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
 */
import type { Manifest } from './helpers';

/** Secret and ConfigMap data by name, then key. */
export type ClusterData = Record<string, Record<string, string>>;

export function expandReferences(text: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$' || i + 1 >= text.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      out += vars.get(name) ?? text.slice(i, close + 1);
      i = close + 1;
    } else {
      out += ch + next;
      i += 2;
    }
  }
  return out;
}

/** The environment a container's process receives. */
export function resolveEnv(
  container: Manifest,
  secrets: ClusterData,
  configMaps: ClusterData = {},
): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of container.env ?? []) {
    if (entry.valueFrom?.secretKeyRef) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      const value = secrets[name]?.[key];
      if (value === undefined) throw new Error(`Secret ${name} has no key ${key}: the pod would not start`);
      vars.set(entry.name, value);
    } else if (entry.valueFrom?.configMapKeyRef) {
      const { name, key } = entry.valueFrom.configMapKeyRef;
      const value = configMaps[name]?.[key];
      if (value === undefined)
        throw new Error(`ConfigMap ${name} has no key ${key}: the pod would not start`);
      vars.set(entry.name, value);
    } else {
      vars.set(entry.name, expandReferences(entry.value ?? '', vars));
    }
  }
  return vars;
}

/** The argv the container runs (command then args, references expanded). */
export function resolveArgv(container: Manifest, env: ReadonlyMap<string, string>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((w: string) =>
    expandReferences(w, env),
  );
}
