/**
 * Reads processes from a `/proc` tree (read-only). The IO edge of `oneproc observe`: a process that
 * exits while it is read is skipped, never an error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessInfo } from './types';

/** An unreadable /proc root: the only error `readProcesses` raises. */
export class ProcReadError extends Error {
  override readonly name = 'ProcReadError';
  constructor(
    readonly root: string,
    cause: unknown,
  ) {
    super(`cannot read processes from ${root}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Reads every process below `root` (default `/proc`). */
export function readProcesses(root = '/proc'): ProcessInfo[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch (err) {
    throw new ProcReadError(root, err);
  }
  const out: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(path.join(root, entry), Number(entry));
    if (info) out.push(info);
  }
  return out;
}

function readProcess(dir: string, pid: number): ProcessInfo | null {
  try {
    const stat = fs.readFileSync(path.join(dir, 'stat'), 'utf8');
    // `pid (comm) state ppid …` — comm may hold spaces and parentheses: split at the last ')'.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || close < open) return null;
    const comm = stat.slice(open + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    const cmdline = readOptional(path.join(dir, 'cmdline'));
    const argv = cmdline.length > 0 ? cmdline.replace(/\0+$/, '').split('\0') : [];
    return {
      pid,
      ppid: Number.isFinite(ppid) ? ppid : 0,
      comm,
      argv,
      cgroup: readOptional(path.join(dir, 'cgroup')),
    };
  } catch {
    return null; // exited while being read
  }
}

function readOptional(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
