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
