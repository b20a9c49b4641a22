/**
 * `oneproc serve` — the validating admission webhook. Each flag falls back to an environment variable
 * so the same image works with `args` or `env` in the Deployment. The one command that may end the
 * process itself: after a graceful shutdown, a log reader that does not read must not keep it alive.
 */
import { parseArgs } from 'node:util';
import { checkObject } from '../manifest/check';
import { ENV, METRICS_PORT, MODE_LABEL, WEBHOOK_PORT } from '../names';
import { CertificateError } from '../webhook/certs';
import { startOfDayUtc } from '../webhook/governance';
import { MODES, type Mode } from '../webhook/review';
import { runUntilSignal, WebhookServer } from '../webhook/server';
import { MAX_CONNECTIONS } from '../webhook/transport';

const USAGE = `Usage: oneproc serve --tls-cert FILE --tls-key FILE [--port ${WEBHOOK_PORT}] [--metrics-port ${METRICS_PORT}]
                     [--mode enforce|warn|off] [--host ADDRESS] [--shutdown-delay SECONDS]
                     [--max-connections N] [--enforce-after YYYY-MM-DD]
                     [--exempt-users NAME]... [--exempt-groups NAME]...

  --tls-cert FILE           serving certificate, PEM (env ${ENV.tlsCert}); reloaded when it changes
  --tls-key FILE            its private key, PEM (env ${ENV.tlsKey})
  --port N                  HTTPS port for POST /validate[/enforce|/warn], /healthz, /readyz
                            (env ${ENV.port}, default ${WEBHOOK_PORT})
  --metrics-port N          plain-HTTP port for GET /metrics (env ${ENV.metricsPort}, default ${METRICS_PORT})
  --mode MODE               mode of POST /validate, for namespaces without the ${MODE_LABEL} label
                            (env ${ENV.mode}, default enforce)
  --host ADDRESS            address to listen on (env ${ENV.host}, default all addresses)
  --shutdown-delay SECONDS  after SIGTERM, keep serving while readiness fails, then drain
                            (env ${ENV.shutdownDelay}, default 3)
  --max-connections N       open TLS connections at most; more are dropped at once (env
                            ${ENV.maxConnections}, default 2000, sized for a 256Mi memory limit:
                            raise it with the limit, about 30 KiB per connection)
  --enforce-after DATE      YYYY-MM-DD, a day in UTC: before it the default mode warns, naming the day
                            in each warning; from 00:00 UTC that day it enforces. Needs --mode enforce.
                            Namespaces labelled ${MODE_LABEL} keep their label's mode
                            (env ${ENV.enforceAfter})
  --exempt-users NAME       a user (request.userInfo.username) who may add or change the exemption
                            annotations; repeat for more (env ${ENV.exemptUsers}, comma-separated)
  --exempt-groups NAME      a group whose members may add or change them; repeat for more
                            (env ${ENV.exemptGroups}, comma-separated). With neither set, anyone
                            who may write a workload may exempt it
`;

/** A command line that cannot be run; exit code 2. */
export class ServeUsageError extends Error {
  override readonly name = 'ServeUsageError';
}

export interface ServeConfig {
  certFile: string;
  keyFile: string;
  port: number;
  metricsPort: number;
  mode: Mode;
  host?: string;
  shutdownDelayMs: number;
  maxConnections: number;
  /** `YYYY-MM-DD`: the default mode warns before that day and enforces from it. */
  enforceAfter?: string;
  /** Who may add or change an exemption annotation; absent when nobody is named (anyone may). */
  exemptions?: { allowedUsers: string[]; allowedGroups: string[] };
}

/** Flags first, then environment variables, then defaults. Throws ServeUsageError. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        port: { type: 'string' },
        'metrics-port': { type: 'string' },
        mode: { type: 'string' },
        host: { type: 'string' },
        'shutdown-delay': { type: 'string' },
        'max-connections': { type: 'string' },
        'enforce-after': { type: 'string' },
        'exempt-users': { type: 'string', multiple: true },
        'exempt-groups': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // parseArgs' errors may come from another realm (e.g. under a test runner): read the message as data.
    const message = (err as { message?: unknown }).message;
    throw new ServeUsageError(typeof message === 'string' ? message : String(err));
  }
  if (values.help) return 'help';
  const pick = (flag: string, name: string): string | undefined => {
    const value = values[flag];
    if (Array.isArray(value)) return value[value.length - 1];
    if (typeof value === 'string') return value;
    const fromEnv = env[name];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const certFile = pick('tls-cert', ENV.tlsCert);
  const keyFile = pick('tls-key', ENV.tlsKey);
  if (!certFile) throw new ServeUsageError(`--tls-cert FILE (or ${ENV.tlsCert}) is required`);
  if (!keyFile) throw new ServeUsageError(`--tls-key FILE (or ${ENV.tlsKey}) is required`);
  const mode = pick('mode', ENV.mode) ?? 'enforce';
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new ServeUsageError(`--mode must be one of ${MODES.join(', ')}, got '${mode}'`);
  }
  const delay = pick('shutdown-delay', ENV.shutdownDelay) ?? '3';
  const seconds = Number(delay);
  if (!/^\d+(\.\d+)?$/.test(delay) || seconds > 300) {
    throw new ServeUsageError(`--shutdown-delay must be a number of seconds from 0 to 300, got '${delay}'`);
  }
  const connections = pick('max-connections', ENV.maxConnections) ?? String(MAX_CONNECTIONS);
  if (!/^\d{1,6}$/.test(connections) || Number(connections) < 1) {
    throw new ServeUsageError(
      `--max-connections must be a whole number from 1 to 999999, got '${connections}'`,
    );
  }
  const enforceAfter = pick('enforce-after', ENV.enforceAfter);
  if (enforceAfter !== undefined) {
    if (startOfDayUtc(enforceAfter) === undefined) {
      throw new ServeUsageError(
        `--enforce-after must be a calendar date written YYYY-MM-DD (UTC), got ${JSON.stringify(enforceAfter)}`,
      );
    }
    if (mode !== 'enforce') {
      throw new ServeUsageError(
        `--enforce-after escalates the default mode from warn to enforce on its day, but --mode is ${mode}: ` +
          'leave --mode at enforce',
      );
    }
  }
  const names = (flag: string, name: string): string[] => {
    const given = values[flag];
    const list = Array.isArray(given) ? given : (env[name] ?? '').split(',').map((n) => n.trim());
    const kept = list.filter((n) => n !== '');
    for (const n of kept) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a name with control characters is refused
      if (/[\u0000-\u001f\u007f]/.test(n) || n.length > 512) {
        throw new ServeUsageError(`--${flag} names must be printable and at most 512 characters long`);
      }
    }
    return kept;
  };
  const allowedUsers = names('exempt-users', ENV.exemptUsers);
  const allowedGroups = names('exempt-groups', ENV.exemptGroups);
  return {
    certFile,
    keyFile,
    port: port(pick('port', ENV.port) ?? String(WEBHOOK_PORT), '--port'),
    metricsPort: port(pick('metrics-port', ENV.metricsPort) ?? String(METRICS_PORT), '--metrics-port'),
    mode: mode as Mode,
    host: pick('host', ENV.host),
    shutdownDelayMs: Math.round(seconds * 1000),
    maxConnections: Number(connections),
    ...(enforceAfter !== undefined ? { enforceAfter } : {}),
    ...(allowedUsers.length + allowedGroups.length > 0
      ? { exemptions: { allowedUsers, allowedGroups } }
      : {}),
  };
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ServeUsageError(`${flag} must be a port number from 0 to 65535, got '${value}'`);
  }
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let config: ServeConfig | 'help';
  try {
    config = parseServeArgs(argv);
  } catch (err) {
    if (!(err instanceof ServeUsageError)) throw err;
    process.stderr.write(`oneproc serve: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let server: WebhookServer;
  try {
    server = new WebhookServer({ ...config, check: checkObject });
  } catch (err) {
    if (!(err instanceof CertificateError)) throw err;
    process.stderr.write(`oneproc serve: ${err.message}\n`);
    return 2;
  }
  try {
    await server.start();
  } catch (err) {
    process.stderr.write(
      `oneproc serve: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    await server.shutdown('listen failed').catch(() => undefined);
    return 1;
  }
  const code = await runUntilSignal(server);
  // A log reader that stalled or went away must not keep the process alive past its grace period:
  // its queued lines were given their time (see src/webhook/log.ts); exit without them.
  if (!server.logDrained) process.exit(code);
  return code;
}
