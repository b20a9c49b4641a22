/**
 * Maps a process's cgroup file to its Kubernetes pod and container. Pure.
 *
 * Formats seen on nodes (cgroup v2 has one `0::PATH` line; v1 has one line per hierarchy and the
 * same path in each):
 * - containerd, systemd driver: `/kubepods.slice/kubepods-burstable.slice/
 *   kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope`
 * - containerd, cgroupfs driver: `/kubepods/burstable/pod<uid>/<id>`
 * - CRI-O: `…/kubepods-pod<uid>.slice/crio-<id>.scope` (systemd) or `/kubepods/pod<uid>/crio-<id>`
 * - Docker (dockershim, cri-dockerd): `…/docker-<id>.scope` or `/kubepods/…/pod<uid>/<id>`,
 *   and plain Docker `/docker/<id>`.
 */
import type { ContainerIdentity } from './types';

const ID = '([0-9a-f]{64})';
const UID = '([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})';

const PATTERNS: ReadonlyArray<{ runtime: string; re: RegExp }> = [
  { runtime: 'containerd', re: new RegExp(`cri-containerd-${ID}\\.scope`) },
  { runtime: 'cri-o', re: new RegExp(`crio-(?:conmon-)?${ID}(?:\\.scope)?`) },
  { runtime: 'docker', re: new RegExp(`docker-${ID}\\.scope`) },
  { runtime: 'docker', re: new RegExp(`/docker/${ID}`) },
  // cgroupfs driver: the container directory is the bare ID below the pod directory.
  { runtime: 'kubepods', re: new RegExp(`/pod${UID}/${ID}`) },
];

/** The container of a process, or null for a process outside any container. */
export function containerFromCgroup(cgroup: string): ContainerIdentity | null {
  // cgroup v2's unified line first; v1's lines carry the same path, any of them will do.
  const lines = cgroup.split('\n').filter((l) => l.length > 0);
  lines.sort((a, b) => Number(b.startsWith('0::')) - Number(a.startsWith('0::')));
  for (const line of lines) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    for (const { runtime, re } of PATTERNS) {
      const m = re.exec(path);
      if (!m) continue;
      const containerId = m[m.length - 1];
      const uid = new RegExp(`pod${UID}`).exec(path)?.[1]?.replaceAll('_', '-');
      return uid ? { runtime, podUid: uid, containerId } : { runtime, containerId };
    }
  }
  return null;
}
