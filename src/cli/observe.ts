/**
 * `oneproc observe` — what really runs: each container's servers and their observed worker counts.
 *   oneproc observe [--format text|json] [--proc-root DIR] [--log-dir DIR] [--pid PID]...
 *   oneproc observe --serve [--metrics-port 9091] [--interval 15] [--proc-root DIR] [--log-dir DIR]
 * One-shot exit codes: 0 every server runs one worker; 1 at least one runs more; 2 a usage error, an
 * unreadable /proc, or a --pid that is not running (the other trees are still reported).
 * An option the chosen mode would ignore is a usage error, never silently dropped.
 */
import { parseArgs } from 'node:util';
import { ENV, OBSERVE_METRICS_PORT } from '../names';
import { flatten, startAgent } from '../observe/agent';
import {
  missingRoots,
  NameCache,
  observeContainers,
  observeTrees,
  ProcReadError,
  readProcesses,
} from '../observe/index';
import type { Observation } from '../observe/types';
import { safeJson, safeLine } from './escape';

const USAGE = `Usage:
  oneproc observe [--format text|json] [--proc-root /proc] [--log-dir /var/log/containers] [--pid PID]...
  oneproc observe --serve [--metrics-port ${OBSERVE_METRICS_PORT}] [--interval 15] [--proc-root /proc] [--log-dir DIR]
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
  // Each mode's own options; the other mode's are refused rather than ignored.
  const ignored = values.serve
    ? [values.pid && '--pid', values.format && '--format'].filter((o) => o)
    : [values['metrics-port'] && '--metrics-port', values.interval && '--interval'].filter((o) => o);
  if (ignored.length > 0) {
    const what = ignored.join(' and ');
    const message = values.serve
      ? `${what} cannot be used with --serve: the agent observes every container of the node and serves ` +
        'metrics (drop --serve for a one-shot report)'
      : `${what} ${ignored.length > 1 ? 'configure' : 'configures'} the agent: add --serve, or drop ${ignored.length > 1 ? 'them' : 'it'}`;
    process.stderr.write(`oneproc observe: ${message}\n${USAGE}`);
    return 2;
  }

  if (values.serve) {
    const port = agentMetricsPort(values['metrics-port'], process.env);
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
  const problems: string[] = [];
  try {
    const processes = readProcesses(procRoot);
    if (pids.length > 0) {
      observations = observeTrees(processes, pids);
      const missing = new Set(missingRoots(processes, pids));
      for (const pid of pids) {
        if (missing.has(pid)) {
          problems.push(
            `no process ${pid} in ${procRoot}: it has exited, or it runs in another PID namespace ` +
              "(run observe in the host's PID namespace, or inside the container)",
          );
        } else if (!observations.some((o) => o.container.containerId === `pid-${pid}`)) {
          problems.push(
            `process ${pid} has no command line (a kernel thread or a zombie): nothing to observe`,
          );
        }
      }
    } else {
      observations = observeContainers(processes, new NameCache(logDir));
    }
  } catch (err) {
    if (err instanceof ProcReadError) {
      process.stderr.write(`${safeLine(`oneproc observe: ${err.message}`)}\n`);
      return 2;
    }
    throw err;
  }
  for (const problem of problems) process.stderr.write(`${safeLine(`oneproc observe: ${problem}`)}\n`);
  if (format === 'json') {
    process.stdout.write(`${safeJson(JSON.stringify({ containers: observations.map(flatten) }, null, 2))}\n`);
  } else {
    process.stdout.write(formatText(observations, pids.length > 0, procRoot));
  }
  if (problems.length > 0) return 2;
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

function formatText(observations: readonly Observation[], trees: boolean, procRoot: string): string {
  if (observations.length === 0) {
    return trees
      ? 'no process tree to report\n'
      : `${safeLine(`no containers found in ${procRoot}`)}: run observe on a Kubernetes node, in the host's ` +
          "PID namespace (the chart's DaemonSet does), or name a process tree with --pid\n";
  }
  const lines = observations.map((o) => {
    const who = o.names
      ? `${o.names.namespace}/${o.names.pod} container ${o.names.container}`
      : `${o.container.podUid ? `pod ${o.container.podUid} ` : ''}${o.container.containerId.slice(0, 12)}`;
    const verdict = o.workers > 1 ? `${o.workers} workers  MORE THAN ONE` : '1 worker';
    // A process sets its own command line: what it holds is shown, never obeyed by the terminal.
    return safeLine(`${who}  ${o.server}  ${verdict}  (pid ${o.mainPid}: ${o.command.slice(0, 120)})`);
  });
  const groups = new Set(observations.map((o) => o.container.containerId)).size;
  const multi = observations.filter((o) => o.workers > 1).length;
  const servers = observations.length > groups ? ` (${plural(observations.length, 'server')})` : '';
  const summary = `${plural(groups, trees ? 'process tree' : 'container')}${servers}, ${multi} running more than one worker`;
  return `${lines.join('\n')}\n${summary}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The agent's metrics port: `--metrics-port`, else `ONEPROC_METRICS_PORT`, else 9091. An empty
 * variable is unset, as for `oneproc serve` (src/cli/serve.ts). NaN when the text is not a number.
 */
export function agentMetricsPort(option: string | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = env[ENV.metricsPort] || undefined;
  return Number(option ?? fromEnv ?? OBSERVE_METRICS_PORT);
}
