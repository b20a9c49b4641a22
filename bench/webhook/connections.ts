/**
 * What an open connection costs `oneproc serve`, and that its limits hold: RSS of the server (as the
 * image starts it) idle, then with N TCP connections that never start TLS, then with N TLS connections
 * that each sent one review and stay open (keep-alive), the per-connection cost of each, and how many
 * connections beyond `--max-connections` were dropped. The figures size `MAX_CONNECTIONS`
 * (src/webhook/transport.ts) to the chart's memory limit.
 *
 *   npm run build && npx tsx bench/webhook/connections.ts [N]        (default 1500)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { type Socket, connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import {
  admissionReview,
  makeCa,
  SERVICE_NAME,
  SecretDir,
  UVICORN_1,
  workload,
} from '../../test/webhook/helpers';

const ROOT = join(__dirname, '..', '..');
const N = Number(process.argv[2] ?? 1500);
const MAX = 2000;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oneproc-conn-'));
  const ca = await makeCa();
  const secret = new SecretDir(await ca.issue());
  const log = join(dir, 'serve.log');
  const child = spawn(
    process.execPath,
    [
      '--max-semi-space-size=2',
      join(ROOT, 'bin/oneproc.js'),
      'serve',
      '--tls-cert',
      secret.certFile,
      '--tls-key',
      secret.keyFile,
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--host',
      '127.0.0.1',
      '--max-connections',
      String(MAX),
    ],
    { stdio: ['ignore', openSync(log, 'w'), 'inherit'] },
  );
  let port = 0;
  let metricsPort = 0;
  while (!port) {
    await sleep(20);
    const ready = /"msg":"ready","port":(\d+),"metricsPort":(\d+)/.exec(readFileSync(log, 'utf8'));
    port = Number(ready?.[1] ?? 0);
    metricsPort = Number(ready?.[2] ?? 0);
  }
  const pid = child.pid ?? 0;
  await sleep(500);
  const idle = rssMiB(pid);

  // TCP connections that never start TLS: held until the 5 s handshake timeout.
  const raw: Socket[] = [];
  for (let i = 0; i < N; i++) {
    const s = tcp(port, '127.0.0.1');
    s.on('error', () => undefined);
    raw.push(s);
  }
  await sleep(2000);
  const withRaw = rssMiB(pid);
  for (const s of raw) s.destroy();
  await sleep(6000);
  const afterRaw = rssMiB(pid);

  // TLS connections that sent one review and stay open.
  const body = JSON.stringify(admissionReview({ object: workload('Deployment', 'api', [UVICORN_1]) }));
  const request =
    `POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const tls: TLSSocket[] = [];
  for (let i = 0; i < N; i += 50) {
    await Promise.all(
      Array.from(
        { length: Math.min(50, N - i) },
        () =>
          new Promise<void>((resolve) => {
            const s = connect({ host: '127.0.0.1', port, ca: ca.pem, servername: SERVICE_NAME }, () => {
              s.write(request);
            });
            s.once('data', () => resolve());
            s.on('error', () => resolve());
            tls.push(s);
          }),
      ),
    );
  }
  await sleep(1000);
  const withTls = rssMiB(pid);

  // Beyond the limit: open more raw connections than the limit leaves room for, count those closed before the handshake timeout.
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const openNow = Number(/^oneproc_webhook_connections\{state="open"\} (\d+)$/m.exec(await scrape())?.[1]);
  const beyond = MAX - openNow + 200;
  const extra: Socket[] = [];
  let dropped = 0;
  for (let i = 0; i < beyond; i++) {
    const s = tcp(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => dropped++);
    extra.push(s);
  }
  await sleep(3000);
  const droppedAtOnce = dropped;
  const metrics = await scrape();
  const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  for (const s of [...tls, ...extra]) s.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const kib = (mib: number) => ((mib * 1024) / N).toFixed(1);
  process.stdout.write(
    `oneproc serve, ${N} connections of each kind (--max-connections ${MAX}):\n` +
      `  idle RSS                                   ${idle.toFixed(1)} MiB\n` +
      `  + ${N} TCP connections before TLS           ${withRaw.toFixed(1)} MiB (${kib(withRaw - idle)} KiB each)\n` +
      `  after they closed (handshake timeout)      ${afterRaw.toFixed(1)} MiB\n` +
      `  + ${N} idle keep-alive TLS connections      ${withTls.toFixed(1)} MiB (${kib(withTls - afterRaw)} KiB each)\n` +
      `  peak RSS                                   ${peak.toFixed(1)} MiB\n` +
      `  ${beyond} more TCP connections with ${openNow} open: closed within 3 s  ${droppedAtOnce}\n` +
      metrics
        .split('\n')
        .filter((l) => l.startsWith('oneproc_webhook_connections'))
        .map((l) => `  ${l}\n`)
        .join(''),
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
