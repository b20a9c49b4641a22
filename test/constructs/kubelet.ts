/**
 * What the kubelet does with a container's env and args, for tests that run the synthesized
 * containers' settings for real: resolve each env var in order (a `$(VAR)` reference sees only the
 * variables defined before it; `valueFrom` reads the Secret or ConfigMap), then expand `$(VAR)` in
 * command and args from the whole env. `$$` is a literal `$`; a reference to an unknown variable stays
 * as written.
 * @see https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
 */
import { expandReferences as expand } from '../../src/shell';
import type { Manifest } from './helpers';

/** Secret and ConfigMap data by name, then key. */
export type ClusterData = Record<string, Record<string, string>>;

/** `$(VAR)` expansion by the shell layer's implementation of the kubelet's rules. */
export function expandReferences(text: string, vars: ReadonlyMap<string, string>): string {
  return expand(text, (name) => (vars.has(name) ? { value: vars.get(name)! } : undefined))
    .map((piece) => piece.text)
    .join('');
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
