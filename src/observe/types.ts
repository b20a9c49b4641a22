/** What `oneproc observe` reads from a node and what it reports. Pure data. */

/** One process as read from `/proc/<pid>`. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** `comm` from /proc/<pid>/stat (the kernel's 15-character name). */
  readonly comm: string;
  /** /proc/<pid>/cmdline split on NUL; empty for kernel threads and zombies. */
  readonly argv: readonly string[];
  /** /proc/<pid>/cgroup as text. */
  readonly cgroup: string;
}

/** The container a process belongs to, read from its cgroup path. */
export interface ContainerIdentity {
  /** `containerd`, `cri-o`, `docker`, or `kubepods` when only the pod is known. */
  readonly runtime: string;
  /** The pod's UID with dashes (`0f6c…-…`), when the path names it. */
  readonly podUid?: string;
  /** The container ID (64 hex characters). */
  readonly containerId: string;
}

/** A container's observed server and worker count. */
export interface Observation {
  readonly container: ContainerIdentity;
  /** Names from the node's log directory, when they could be looked up. */
  readonly names?: { readonly namespace: string; readonly pod: string; readonly container: string };
  /** Server id from oneproc's rules (`uvicorn`, `gunicorn`, …), or the process name when no rule matches. */
  readonly server: string;
  /** Worker processes serving requests; 1 for a single-process server. */
  readonly workers: number;
  /** The process whose children are the workers (or the single server process). */
  readonly mainPid: number;
  /** The worker processes' PIDs (the main one alone for a single-process server). */
  readonly workerPids: readonly number[];
  /** The main process's command line. */
  readonly command: string;
}
