/**
 * Soak: `oneproc serve` (a child started with node, stopped by its PID) under a steady 500 req/s of
 * keep-alive TLS reviews for 10 minutes, with the serving certificate rotated in the middle by a
 * Secret-volume symlink swap. Reports errors (goal 0), whether new connections got the new
 * certificate, and RSS every 30 s (goal: flat). On demand only:
 *
 *   npm run build && npx tsx bench/webhook/soak.ts     (SOAK_SECONDS=600 SOAK_RATE=500 by default)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeyPair } from '../../src/webhook/certs';
import {
  ApiServerClient,
  admissionReview,
  makeCa,
  SecretDir,
  UVICORN_4,
  workload,
} from '../../test/webhook/helpers';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 500);
const ROOT = join(__dirname, '..', '..');

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kib / 1024;
}

async function main(): Promise<void> {
  const ca = await makeCa();
  const secret = new SecretDir(await ca.issue());
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/oneproc.js'), 'serve', '--tls-cert', secret.certFile, '--tls-key', secret.keyFile],
    {
      env: { ...process.env, ONEPROC_PORT: '0', ONEPROC_METRICS_PORT: '0', ONEPROC_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = /"msg":"ready","port":(\d+)/.exec(buf);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
  });
  const body = JSON.stringify(
    admissionReview({ uid: 'soak', object: workload('Deployment', 'api', [UVICORN_4]) }),
  );
  const keepAlive = new ApiServerClient(port, ca.pem, { maxSockets: 16 });
  const fresh = new ApiServerClient(port, ca.pem, { keepAlive: false });
  const first = loadKeyPair(secret.certFile, secret.keyFile).fingerprint256;
  let second = '';
  let sent = 0;
  let ok = 0;
  const errors: string[] = [];
  // Certificates presented to new connections after the swap, in order: the old one until the reload
  // (a watch event, at most the 2 s re-read interval), then only the new one.
  let rotatedAt = 0;
  let firstNewAt = 0;
  let oldAfterNew = 0;
  const started = Date.now();
  const rss: string[] = [];
  const tick = setInterval(() => {
    // One request in 50 opens a new connection, so new handshakes show which certificate is served.
    for (let i = 0; i < RATE / 10; i++) {
      const client = sent % 50 === 0 ? fresh : keepAlive;
      sent++;
      client.send('/validate', body).then(
        (a) => {
          const r = (a.json as { response?: { uid?: string; allowed?: boolean } } | undefined)?.response;
          if (a.status === 200 && r?.uid === 'soak' && r.allowed === false) ok++;
          else errors.push(a.text.slice(0, 200));
          if (second && client === fresh) {
            if (a.fingerprint256 === second && firstNewAt === 0) firstNewAt = Date.now();
            else if (a.fingerprint256 !== second && firstNewAt !== 0) oldAfterNew++;
          }
        },
        (err) => errors.push(String(err)),
      );
    }
  }, 100);
  const sampler = setInterval(() => {
    const line = `${Math.round((Date.now() - started) / 1000)} s: RSS ${rssMiB(child.pid!).toFixed(1)} MiB, ${ok} ok, ${errors.length} errors`;
    rss.push(line);
    process.stdout.write(`${line}\n`);
  }, 30_000);
  await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
  const next = await ca.issue();
  secret.swap(next);
  second = loadKeyPair(secret.certFile, secret.keyFile).fingerprint256;
  rotatedAt = Date.now();
  process.stdout.write(`${Math.round((Date.now() - started) / 1000)} s: certificate rotated\n`);
  await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
  clearInterval(tick);
  clearInterval(sampler);
  // Let every request sent settle before stopping the server: a lagging client must not count as errors.
  while (ok + errors.length < sent) await new Promise((r) => setTimeout(r, 100));
  const finalRss = rssMiB(child.pid!);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  keepAlive.close();
  fresh.close();
  process.stdout.write(
    `\n${SECONDS} s at ${RATE} req/s: ${sent} sent, ${ok} answered correctly, ${errors.length} errors (goal 0)\n` +
      `achieved rate ${(sent / SECONDS).toFixed(0)} req/s; certificate ${first.slice(0, 11)}… → ${second.slice(0, 11)}…: ` +
      `new connections got the new one ${firstNewAt ? `${firstNewAt - rotatedAt} ms` : 'NEVER'} after the swap, ` +
      `and the old one ${oldAfterNew} times after that (goal 0)\n` +
      `RSS at the end ${finalRss.toFixed(1)} MiB; exit code after SIGTERM ${code}\n`,
  );
  if (errors.length > 0) process.stdout.write(`first errors: ${errors.slice(0, 5).join(' | ')}\n`);
  process.exitCode = errors.length === 0 && code === 0 && firstNewAt !== 0 && oldAfterNew === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
