/**
 * `oneproc observe`: what really runs. Groups a node's processes by container and reports each
 * container's server and observed worker count.
 */
import { containerFromCgroup } from './cgroup';
import type { NameCache } from './names';
import { analyseServers } from './tree';
import type { ContainerIdentity, Observation, ProcessInfo } from './types';

export { containerFromCgroup } from './cgroup';
export { NameCache, parseLogName } from './names';
export { ProcReadError, readProcesses } from './proc';
export { analyseServers, analyseTree, recogniseServer } from './tree';
export type { ContainerIdentity, Observation, ProcessInfo } from './types';

/**
 * Observations for every container found in the processes' cgroups: one per server in it (a container
 * that runs two servers, e.g. under supervisord, has two). Pure but for the name cache.
 */
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
    const servers = analyseServers(procs);
    if (servers.length === 0) continue;
    const found = names?.lookup(id.containerId);
    for (const server of servers) out.push({ container: id, ...(found ? { names: found } : {}), ...server });
  }
  return out.sort(
    (a, b) => a.container.containerId.localeCompare(b.container.containerId) || a.mainPid - b.mainPid,
  );
}

/**
 * Observations for the process trees rooted at the given PIDs (a local run, outside Kubernetes): one per
 * server in each tree. A PID that is not among the processes gives none: see `missingRoots`.
 */
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
    for (const server of analyseServers(tree)) {
      out.push({ container: { runtime: 'process', containerId: `pid-${root}` }, ...server });
    }
  }
  return out;
}

/** The PIDs among `roots` that are not among the processes (exited, or in another PID namespace). */
export function missingRoots(processes: readonly ProcessInfo[], roots: readonly number[]): number[] {
  const pids = new Set(processes.map((p) => p.pid));
  return roots.filter((root) => !pids.has(root));
}
