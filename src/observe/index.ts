/**
 * `oneproc observe`: what really runs. Groups a node's processes by container and reports each
 * container's server and observed worker count.
 */
import { containerFromCgroup } from './cgroup';
import type { NameCache } from './names';
import { analyseTree } from './tree';
import type { ContainerIdentity, Observation, ProcessInfo } from './types';

export { containerFromCgroup } from './cgroup';
export { NameCache, parseLogName } from './names';
export { ProcReadError, readProcesses } from './proc';
export { analyseTree, recogniseServer } from './tree';
export type { ContainerIdentity, Observation, ProcessInfo } from './types';

/** Observations for every container found in the processes' cgroups. Pure but for the name cache. */
export function observeContainers(processes: readonly ProcessInfo[], names?: NameCache): Observation[] {
  const groups = new Map<string, { id: ContainerIdentity; procs: ProcessInfo[] }>();
  for (const p of processes) {
    const id = containerFromCgroup(p.cgroup);
    if (!id) continue;
    const group = groups.get(id.containerId) ?? { id, procs: [] };
    group.procs.push(p);
    groups.set(id.containerId, group);
  }
  const out: Observation[] = [];
  for (const { id, procs } of groups.values()) {
    const tree = analyseTree(procs);
    if (!tree) continue;
    const found = names?.lookup(id.containerId);
    out.push({ container: id, ...(found ? { names: found } : {}), ...tree });
  }
  return out.sort((a, b) => a.container.containerId.localeCompare(b.container.containerId));
}

/** Observations for the process trees rooted at the given PIDs (a local run, outside Kubernetes). */
export function observeTrees(processes: readonly ProcessInfo[], roots: readonly number[]): Observation[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: Observation[] = [];
  for (const root of roots) {
    const tree: ProcessInfo[] = [];
    const start = processes.find((p) => p.pid === root);
    const stack = start ? [start] : [];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen.has(p.pid)) continue;
      seen.add(p.pid);
      tree.push(p);
      stack.push(...(children.get(p.pid) ?? []));
    }
    const analysis = analyseTree(tree);
    if (analysis) out.push({ container: { runtime: 'process', containerId: `pid-${root}` }, ...analysis });
  }
  return out;
}
