/**
 * `oneproc serve` as a process: flags and environment variables, clear errors, start to ready, and
 * SIGTERM under load without a failed review. The child is started with `node bin/oneproc.js` (not
 * npx, which would not pass the signal on) and stopped by its own PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiServerClient, admissionReview, makeCa, SecretDir, UVICORN_4, workload } from './helpers';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'oneproc.js');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'serve.js'))) {
    throw new Error('dist/cli/serve.js is missing: run `npm run build` before these tests (npm test does)');
  }
});

interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    let i = out.indexOf('\n');
    while (i !== -1) {
      lines.push(JSON.parse(out.slice(0, i)));
      out = out.slice(i + 1);
      i = out.indexOf('\n');
    }
  });
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, stderr: () => err, exited };
}

async function ready(child: Child): Promise<{ port: number; metricsPort: number }> {
  for (;;) {
    const line = child.lines.find((l) => l.msg === 'ready');
    if (line) return { port: line.port as number, metricsPort: line.metricsPort as number };
    if (child.proc.exitCode !== null) throw new Error(`oneproc serve exited: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('oneproc serve: command line', () => {
  it('requires the certificate and names what is missing', async () => {
    const child = start([], { ONEPROC_TLS_CERT: '', ONEPROC_TLS_KEY: '' });
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toMatch(/^oneproc serve: --tls-cert FILE \(or ONEPROC_TLS_CERT\) is required\n/);
  });

  it('names a certificate file it cannot read', async () => {
    const child = start(['--tls-cert', '/nonexistent/tls.crt', '--tls-key', '/nonexistent/tls.key']);
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toBe(
      'oneproc serve: cannot read the TLS certificate /nonexistent/tls.crt: no such file\n',
    );
  });

  it('refuses to start with an expired certificate, saying so', async () => {
    const ca = await makeCa();
    const secret = new SecretDir(
      await ca.issue({
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    const child = start(['--tls-cert', secret.certFile, '--tls-key', secret.keyFile, '--port', '0']);
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toBe(
      `oneproc serve: ${secret.certFile}: the certificate expired at 2026-01-01T00:00:00.000Z\n`,
    );
  });

  it('refuses an unknown mode and port', async () => {
    const mode = start(['--tls-cert', 'a', '--tls-key', 'b', '--mode', 'audit']);
    expect(await mode.exited).toBe(2);
    expect(mode.stderr()).toMatch(/^oneproc serve: --mode must be one of enforce, warn, off, got 'audit'\n/);
    const port = start(['--tls-cert', 'a', '--tls-key', 'b'], { ONEPROC_PORT: '70000' });
    expect(await port.exited).toBe(2);
    expect(port.stderr()).toMatch(
      /^oneproc serve: --port must be a port number from 0 to 65535, got '70000'\n/,
    );
  });
});

describe('oneproc serve: lifecycle', () => {
  it('reads its settings from the environment, becomes ready, and on SIGTERM under load finishes every review', async () => {
    const ca = await makeCa();
    const secret = new SecretDir(await ca.issue());
    const child = start([], {
      ONEPROC_TLS_CERT: secret.certFile,
      ONEPROC_TLS_KEY: secret.keyFile,
      ONEPROC_PORT: '0',
      ONEPROC_METRICS_PORT: '0',
      ONEPROC_HOST: '127.0.0.1',
      ONEPROC_MODE: 'warn',
      ONEPROC_SHUTDOWN_DELAY: '0.5',
    });
    try {
      const { port } = await ready(child);
      expect(child.lines[0]).toMatchObject({ level: 'info', msg: 'ready', mode: 'warn' });
      const body = JSON.stringify(
        admissionReview({ uid: 'term', object: workload('Deployment', 'api', [UVICORN_4]) }),
      );
      const client = new ApiServerClient(port, ca.pem, { maxSockets: 16 });
      let answered = 0;
      let refused = 0;
      const failures: string[] = [];
      let readyzFailed = false;
      const loop = async () => {
        for (;;) {
          try {
            const answer = await client.send('/validate', body);
            const response = (answer.json as { response?: { uid?: string; allowed?: boolean } }).response;
            if (answer.status === 200 && response?.uid === 'term' && response.allowed === true) answered++;
            else failures.push(answer.text);
          } catch (err) {
            // After the listener closed, a new connection is refused (or reset while it waited in the
            // listen backlog, before its TLS handshake): that request never reached the webhook.
            const e = err as NodeJS.ErrnoException & { handshaken?: boolean };
            if (e.code === 'ECONNREFUSED' || (e.code === 'ECONNRESET' && e.handshaken === false)) {
              refused++;
              return;
            }
            failures.push(`${String(err)} (after the TLS handshake: ${e.handshaken})`);
            return;
          }
        }
      };
      const loops = Array.from({ length: 16 }, loop);
      while (answered < 300) await new Promise((r) => setTimeout(r, 10));
      child.proc.kill('SIGTERM');
      const probe = new ApiServerClient(port, ca.pem, { keepAlive: false });
      while (!readyzFailed) {
        const answer = await probe.get('/readyz').catch(() => undefined);
        if (answer?.status === 503) readyzFailed = true;
        else await new Promise((r) => setTimeout(r, 10));
      }
      probe.close();
      await Promise.all(loops);
      client.close();
      expect(await child.exited).toBe(0);
      expect(failures).toEqual([]);
      expect(refused).toBeLessThanOrEqual(16);
      const reviews = child.lines.filter((l) => l.msg === 'review');
      expect(reviews.length).toBe(answered);
      expect(reviews.every((l) => l.verdict === 'warned' && l.uid === 'term')).toBe(true);
      // Reviews keep being answered while readiness fails (endpoints take a moment to drop the pod).
      const down = child.lines.findIndex((l) => l.msg === 'shutting down');
      expect(child.lines[down]).toMatchObject({ level: 'info', reason: 'SIGTERM' });
      expect(child.lines.slice(down).some((l) => l.msg === 'review')).toBe(true);
      expect(child.lines.at(-1)).toMatchObject({ msg: 'stopped', reason: 'SIGTERM' });
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    }
  });
});

/** Sends `count` reviews, `parallel` at a time; resolves with how many were answered with a review. */
async function sendMany(
  client: ApiServerClient,
  body: string,
  count: number,
  parallel: number,
): Promise<number> {
  let sent = 0;
  let answered = 0;
  const loop = async () => {
    while (sent < count) {
      sent++;
      const answer = await client.send('/validate', body).catch(() => undefined);
      if ((answer?.json as { response?: { uid?: string } } | undefined)?.response?.uid === 'log') answered++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  return answered;
}

async function metricsOf(metricsPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

describe('oneproc serve: a log reader that stalls or goes away', () => {
  const body = JSON.stringify(
    admissionReview({ uid: 'log', object: workload('Deployment', `api-${'x'.repeat(200)}`, [UVICORN_4]) }),
  );

  async function serve(): Promise<{
    child: Child;
    ca: Awaited<ReturnType<typeof makeCa>>;
    port: number;
    metricsPort: number;
  }> {
    const ca = await makeCa();
    const secret = new SecretDir(await ca.issue());
    const child = start([], {
      ONEPROC_TLS_CERT: secret.certFile,
      ONEPROC_TLS_KEY: secret.keyFile,
      ONEPROC_PORT: '0',
      ONEPROC_METRICS_PORT: '0',
      ONEPROC_HOST: '127.0.0.1',
      ONEPROC_MODE: 'warn',
      ONEPROC_SHUTDOWN_DELAY: '0.2',
    });
    const { port, metricsPort } = await ready(child);
    return { child, ca, port, metricsPort };
  }

  it('keeps serving when its standard output is closed (EPIPE), counts the lost lines, and exits on SIGTERM', async () => {
    const { child, ca, port, metricsPort } = await serve();
    try {
      child.proc.stdout?.destroy();
      const client = new ApiServerClient(port, ca.pem, { maxSockets: 4 });
      expect(await sendMany(client, body, 200, 4)).toBe(200);
      client.close();
      expect(child.proc.exitCode).toBeNull();
      const dropped = /^oneproc_webhook_log_lines_dropped_total\{reason="error"\} (\d+)$/m.exec(
        await metricsOf(metricsPort),
      );
      expect(Number(dropped?.[1])).toBeGreaterThan(100);
      child.proc.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.stderr()).toBe('');
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    }
  });

  it('bounds the lines queued for a stalled reader, counts the dropped ones, and still exits on SIGTERM', async () => {
    const { child, ca, port, metricsPort } = await serve();
    try {
      child.proc.stdout?.pause();
      const client = new ApiServerClient(port, ca.pem, { maxSockets: 16 });
      expect(await sendMany(client, body, 4000, 16)).toBe(4000);
      client.close();
      const text = await metricsOf(metricsPort);
      // The reader never reads again: the process exits anyway once its shutdown is done.
      child.proc.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      const dropped = /^oneproc_webhook_log_lines_dropped_total\{reason="backlog"\} (\d+)$/m.exec(text);
      const queued = /^oneproc_webhook_log_queued_bytes (\d+)$/m.exec(text);
      expect(Number(dropped?.[1])).toBeGreaterThan(1000);
      expect(Number(queued?.[1])).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    }
  });
});
