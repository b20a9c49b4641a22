/**
 * The node agent behind `oneproc observe --serve`: rescans /proc on an interval, exports one gauge per
 * server of each container, and logs one JSON line when a server starts running more than one worker
 * (again only when its count changes). Scrapes read the last scan; they never trigger a scan or a lookup.
 */
import * as http from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { observeContainers } from './index';
import { NameCache } from './names';
import { readProcesses } from './proc';
import type { Observation } from './types';

export interface AgentOptions {
  readonly procRoot: string;
  readonly logDir: string;
  readonly intervalMs: number;
  readonly metricsPort: number;
  readonly host?: string;
  readonly log?: (line: string) => void;
}

export interface Agent {
  readonly port: number;
  scan(): Observation[];
  close(): Promise<void>;
}

export async function startAgent(options: AgentOptions): Promise<Agent> {
  const registry = new Registry();
  const gauge = new Gauge({
    name: 'oneproc_observed_workers',
    help: 'Worker processes of a server observed in a container (1 = a single process; summed over copies of one server).',
    labelNames: ['namespace', 'pod', 'container', 'pod_uid', 'container_id', 'server'] as const,
    registers: [registry],
  });
  const scans = new Gauge({
    name: 'oneproc_observe_last_scan_timestamp_seconds',
    help: 'When /proc was last scanned.',
    registers: [registry],
  });
  const names = new NameCache(options.logDir);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const reported = new Map<string, number>();

  const scan = (): Observation[] => {
    const observations = observeContainers(readProcesses(options.procRoot), names);
    gauge.reset();
    const seen = new Set<string>();
    for (const o of observations) {
      // One server in a container: its id and main process (a container may run several servers).
      const key = `${o.container.containerId}/${o.server}/${o.mainPid}`;
      seen.add(key);
      // inc, not set: two copies of one server in one container share a label set; both count.
      gauge.inc(
        {
          namespace: o.names?.namespace ?? '',
          pod: o.names?.pod ?? '',
          container: o.names?.container ?? '',
          pod_uid: o.container.podUid ?? '',
          container_id: o.container.containerId,
          server: o.server,
        },
        o.workers,
      );
      if (o.workers > 1 && reported.get(key) !== o.workers) {
        log(
          JSON.stringify({
            level: 'warn',
            msg: 'container runs more than one worker process',
            ...flatten(o),
          }),
        );
      }
      reported.set(key, o.workers);
    }
    for (const id of reported.keys()) if (!seen.has(id)) reported.delete(id);
    scans.setToCurrentTime();
    return observations;
  };

  scan();
  const timer = setInterval(() => {
    try {
      scan();
    } catch (err) {
      log(JSON.stringify({ level: 'error', msg: 'scan failed', error: String(err) }));
    }
  }, options.intervalMs);
  timer.unref();

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/readyz')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.metricsPort, options.host ?? '0.0.0.0', resolve),
  );
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.metricsPort,
    scan,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
      }),
  };
}

/** An observation as flat JSON fields, for log lines and `--format json`. */
export function flatten(o: Observation): Record<string, unknown> {
  return {
    namespace: o.names?.namespace ?? null,
    pod: o.names?.pod ?? null,
    container: o.names?.container ?? null,
    podUid: o.container.podUid ?? null,
    containerId: o.container.containerId,
    runtime: o.container.runtime,
    server: o.server,
    workers: o.workers,
    mainPid: o.mainPid,
    workerPids: o.workerPids,
    command: o.command,
  };
}
