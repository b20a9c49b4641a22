/**
 * Container ID → namespace, pod and container names, from the kubelet's log links on the node:
 * `/var/log/containers/<pod>_<namespace>_<container>-<container id>.log`. No API call; the folder is
 * listed again only when a container ID it has not seen appears, so a scrape never triggers a lookup.
 */
import * as fs from 'node:fs';

export interface ContainerNames {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

const LOG_NAME = /^(.+?)_(.+?)_(.+)-([0-9a-f]{64})\.log$/;

/** Parses one log link name; null when it is not one. Pure. */
export function parseLogName(name: string): ({ id: string } & ContainerNames) | null {
  const m = LOG_NAME.exec(name);
  return m ? { pod: m[1], namespace: m[2], container: m[3], id: m[4] } : null;
}

export class NameCache {
  private readonly known = new Map<string, ContainerNames>();
  private readonly missing = new Set<string>();

  constructor(private readonly dir = '/var/log/containers') {}

  /** Names for a container ID, listing the folder at most once per new ID. */
  lookup(containerId: string): ContainerNames | undefined {
    const hit = this.known.get(containerId);
    if (hit || this.missing.has(containerId)) return hit;
    this.refresh();
    const found = this.known.get(containerId);
    if (!found) this.missing.add(containerId);
    return found;
  }

  private refresh(): void {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return; // not mounted: observations carry the pod UID and container ID only
    }
    for (const name of names) {
      const parsed = parseLogName(name);
      if (parsed)
        this.known.set(parsed.id, {
          namespace: parsed.namespace,
          pod: parsed.pod,
          container: parsed.container,
        });
    }
  }
}
