/** Writes a fake /proc tree (stat, cmdline, cgroup per process) for tests and benchmarks. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FakeProcess {
  pid: number;
  ppid: number;
  argv: string[];
  cgroup?: string;
  comm?: string;
}

export function writeFakeProc(root: string, processes: readonly FakeProcess[]): void {
  for (const p of processes) {
    const dir = path.join(root, String(p.pid));
    fs.mkdirSync(dir, { recursive: true });
    const comm = p.comm ?? path.basename(p.argv[0] ?? 'x').slice(0, 15);
    fs.writeFileSync(
      path.join(dir, 'stat'),
      `${p.pid} (${comm}) S ${p.ppid} ${p.pid} ${p.pid} 0 -1 4194560 0 0 0 0\n`,
    );
    fs.writeFileSync(path.join(dir, 'cmdline'), p.argv.length > 0 ? `${p.argv.join('\0')}\0` : '');
    fs.writeFileSync(path.join(dir, 'cgroup'), p.cgroup ?? '0::/\n');
  }
}

/** A cgroup v2 file of a containerd container (systemd driver). */
export function containerdCgroup(podUid: string, containerId: string): string {
  const uid = podUid.replaceAll('-', '_');
  return `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid}.slice/cri-containerd-${containerId}.scope\n`;
}
