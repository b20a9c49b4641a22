/**
 * `oneproc observe` — what really runs: each container's server and its observed worker count.
 *   oneproc observe [--format text|json] [--proc-root DIR] [--log-dir DIR] [--pid PID]...
 *   oneproc observe --serve [--metrics-port 9091] [--interval 15] [--proc-root DIR] [--log-dir DIR]
 * One-shot exit codes: 0 every container runs one worker; 1 at least one runs more; 2 usage or read error.
 */
import { parseArgs } from 'node:util';
import { flatten, startAgent } from '../observe/agent';
import { NameCache, observeContainers, observeTrees, ProcReadError, readProcesses } from '../observe/index';
import type { Observation } from '../observe/types';
import { safeJson, safeLine } from './escape';

const USAGE = `Usage:
  oneproc observe [--format text|json] [--proc-root /proc] [--log-dir /var/log/containers] [--pid PID]...
  oneproc observe --serve [--metrics-port 9091] [--interval 15] [--proc-root /proc] [--log-dir DIR]
`;

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    process.stderr.write(`oneproc observe: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    process.stderr.write(`oneproc observe: --format must be text or json, not '${format}'\n${USAGE}`);
    return 2;
  }
  const pids = (values.pid ?? []).map(Number);
  if (pids.some((p) => !Number.isInteger(p) || p <= 0)) {
    process.stderr.write(`oneproc observe: --pid takes a process id, not '${values.pid?.join(', ')}'\n`);
    return 2;
  }
  const procRoot = values['proc-root'] ?? '/proc';
  const logDir = values['log-dir'] ?? '/var/log/containers';

  if (values.serve) {
    const port = Number(values['metrics-port'] ?? process.env.ONEPROC_METRICS_PORT ?? 9091);
    const interval = Number(values.interval ?? 15);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || !(interval > 0)) {
      process.stderr.write(
        'oneproc observe: --metrics-port takes a port and --interval a number of seconds\n',
      );
      return 2;
    }
    const agent = await startAgent({ procRoot, logDir, intervalMs: interval * 1000, metricsPort: port });
    process.stdout.write(
      `${JSON.stringify({ level: 'info', msg: 'observing', procRoot, metricsPort: agent.port })}\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await agent.close();
    return 0;
  }

  let observations: Observation[];
  try {
    const processes = readProcesses(procRoot);
    observations =
      pids.length > 0 ? observeTrees(processes, pids) : observeContainers(processes, new NameCache(logDir));
  } catch (err) {
    if (err instanceof ProcReadError) {
      process.stderr.write(`${safeLine(`oneproc observe: ${err.message}`)}\n`);
      return 2;
    }
    throw err;
  }
  if (format === 'json') {
    process.stdout.write(`${safeJson(JSON.stringify({ containers: observations.map(flatten) }, null, 2))}\n`);
  } else {
    process.stdout.write(formatText(observations));
  }
  return observations.some((o) => o.workers > 1) ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      format: { type: 'string' },
      'proc-root': { type: 'string' },
      'log-dir': { type: 'string' },
      pid: { type: 'string', multiple: true },
      serve: { type: 'boolean' },
      'metrics-port': { type: 'string' },
      interval: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function formatText(observations: readonly Observation[]): string {
  if (observations.length === 0) return 'no containers found\n';
  const lines = observations.map((o) => {
    const who = o.names
      ? `${o.names.namespace}/${o.names.pod} container ${o.names.container}`
      : `${o.container.podUid ? `pod ${o.container.podUid} ` : ''}${o.container.containerId.slice(0, 12)}`;
    const verdict = o.workers > 1 ? `${o.workers} workers  MORE THAN ONE` : '1 worker';
    // A process sets its own command line: what it holds is shown, never obeyed by the terminal.
    return safeLine(`${who}  ${o.server}  ${verdict}  (pid ${o.mainPid}: ${o.command.slice(0, 120)})`);
  });
  const multi = observations.filter((o) => o.workers > 1).length;
  return `${lines.join('\n')}\n${observations.length} containers, ${multi} running more than one worker\n`;
}
