/**
 * Webhook load benchmark: throughput, p99 latency and RSS of `oneproc serve` at 64 keep-alive TLS
 * connections (Debian's wrk, a Lua script for the POST body), measured in the same run as two
 * baselines with the same TLS settings: a no-op responder and a parse-and-echo responder
 * (bench/webhook/baselines.js). Servers are pinned to CPU 0 and wrk to CPU 1; rounds alternate the
 * targets and the median round is reported. Also the server's own CPU time per request (user +
 * system from /proc, which a busy machine inflates far less than wall-clock throughput), and
 * start-to-ready of `oneproc serve`. `oneproc serve` runs with the node flags of the Dockerfile's
 * ENTRYPOINT, as in the image.
 *
 *   npm run build && npx tsx bench/webhook/run.ts          (ROUNDS=3 DURATION=10 by default)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admissionReview, makeCa, SecretDir, UVICORN_1, workload } from '../../test/webhook/helpers';

const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = 64;

interface Result {
  rps: number;
  /** Server CPU time (user + system) per request, µs. */
  cpuUs: number;
  p50: number;
  p99: number;
  rssMiB: number;
}

// Servers log to a file, not to a pipe: this process blocks in wrk while measuring, and a pipe nobody
// reads would make the server queue its log lines in memory (a container runtime reads them at once).
let logCount = 0;
function logPath(dir: string): string {
  return join(dir, `server-${++logCount}.log`);
}

function pinned(args: string[], log: string): ChildProcess {
  return spawn('taskset', ['-c', '0', process.execPath, ...args], {
    stdio: ['ignore', openSync(log, 'w'), 'inherit'],
  });
}

async function waitReady(child: ChildProcess, log: string): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    const m = /"msg":"ready","port":(\d+)/.exec(readFileSync(log, 'utf8'));
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The node flags of the Dockerfile's ENTRYPOINT (between the node binary and the script). */
function imageNodeFlags(): string[] {
  const line = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('ENTRYPOINT '))
    .at(-1);
  const words: string[] = line ? JSON.parse(line.slice('ENTRYPOINT '.length)) : [];
  return words.slice(
    1,
    words.findIndex((w) => w.endsWith('/oneproc.js')),
  );
}

/** CPU time (user + system) of a process so far, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
}

function wrk(
  port: number,
  script: string,
  seconds: number,
): { rps: number; requests: number; p50: number; p99: number; text: string } {
  const text = execFileSync(
    'taskset',
    [
      '-c',
      '1',
      'wrk',
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      `https://127.0.0.1:${port}/validate`,
    ],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  const p50 = ms(/^\s+50%\s+(\S+)/m.exec(text)?.[1] ?? '');
  const p99 = ms(/^\s+99%\s+(\S+)/m.exec(text)?.[1] ?? '');
  if (/Non-2xx|Socket errors/.test(text)) process.stderr.write(`wrk reported errors:\n${text}\n`);
  return { rps, requests, p50, p99, text };
}

async function measure(args: string[], script: string, dir: string): Promise<Result> {
  const log = logPath(dir);
  const child = pinned(args, log);
  const port = await waitReady(child, log);
  wrk(port, script, 3); // warm up the JIT and the TLS session state
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKiB(child.pid!, 'VmRSS'));
  }, 250);
  const cpuBefore = cpuMs(child.pid!);
  const { rps, requests, p50, p99 } = await new Promise<ReturnType<typeof wrk>>((resolve) =>
    setImmediate(() => resolve(wrk(port, script, DURATION))),
  );
  const cpuUs = ((cpuMs(child.pid!) - cpuBefore) * 1000) / requests;
  clearInterval(sampler);
  peak = Math.max(peak, rssKiB(child.pid!, 'VmHWM'));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return { rps, cpuUs, p50, p99, rssMiB: peak / 1024 };
}

/** `oneproc serve` as the image starts it (the ENTRYPOINT's node flags), on free loopback ports. */
function serveArgs(certFile: string, keyFile: string): string[] {
  return [
    ...imageNodeFlags(),
    join(ROOT, 'bin/oneproc.js'),
    'serve',
    '--tls-cert',
    certFile,
    '--tls-key',
    keyFile,
    '--port',
    '0',
    '--metrics-port',
    '0',
    '--host',
    '127.0.0.1',
  ];
}

async function startToReady(certFile: string, keyFile: string, dir: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const log = logPath(dir);
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, serveArgs(certFile, keyFile), {
      stdio: ['ignore', openSync(log, 'w'), 'inherit'],
    });
    await waitReady(child, log);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  return times.sort((a, b) => a - b);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oneproc-bench-'));
  const ca = await makeCa();
  const secret = new SecretDir(await ca.issue());
  const body = JSON.stringify(admissionReview({ object: workload('Deployment', 'api', [UVICORN_1]) }));
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`,
  );
  const targets: Record<string, string[]> = {
    'no-op responder': [join(__dirname, 'baselines.js'), 'noop', secret.certFile, secret.keyFile],
    'parse-and-echo responder': [join(__dirname, 'baselines.js'), 'echo', secret.certFile, secret.keyFile],
    'oneproc serve': serveArgs(secret.certFile, secret.keyFile),
  };
  process.stdout.write(
    `body ${Buffer.byteLength(body)} bytes (Deployment, uvicorn with one worker: allowed); ${CONNECTIONS} connections, ` +
      `${ROUNDS} rounds × ${DURATION} s; server on CPU 0, wrk on CPU 1\n`,
  );
  const results: Record<string, Result[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(targets)) {
      const r = await measure(args, script, dir);
      results[name] = [...(results[name] ?? []), r];
      process.stdout.write(
        `round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(1)} µs CPU/req, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, RSS ${r.rssMiB.toFixed(1)} MiB\n`,
      );
    }
  }
  const summary: Record<string, Result> = {};
  for (const [name, rs] of Object.entries(results)) {
    summary[name] = {
      rps: median(rs.map((r) => r.rps)),
      cpuUs: median(rs.map((r) => r.cpuUs)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      rssMiB: median(rs.map((r) => r.rssMiB)),
    };
  }
  const noop = summary['no-op responder'];
  const echo = summary['parse-and-echo responder'];
  const ours = summary['oneproc serve'];
  process.stdout.write('\nmedian of rounds:\n');
  for (const [name, r] of Object.entries(summary)) {
    process.stdout.write(
      `  ${name.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} req/s  ${r.cpuUs.toFixed(1).padStart(5)} µs CPU/req  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  RSS ${r.rssMiB.toFixed(1)} MiB\n`,
    );
  }
  process.stdout.write(
    `\nnode flags of the image's ENTRYPOINT: ${imageNodeFlags().join(' ') || '(none)'}\n` +
      `oneproc / no-op: throughput ${(ours.rps / noop.rps).toFixed(2)}× (goal ≥ 0.85×), p99 ${(ours.p99 / noop.p99).toFixed(2)}× (goal ≤ 1.5×)\n` +
      `oneproc / parse-and-echo: throughput ${(ours.rps / echo.rps).toFixed(2)}× (aim ≥ 0.9×), p99 ${(ours.p99 / echo.p99).toFixed(2)}×\n` +
      `CPU per request: oneproc ${ours.cpuUs.toFixed(1)} µs, parse-and-echo ${echo.cpuUs.toFixed(1)} µs, no-op ${noop.cpuUs.toFixed(1)} µs ` +
      `(capacity at one core: ${(echo.cpuUs / ours.cpuUs).toFixed(2)}× parse-and-echo, ${(noop.cpuUs / ours.cpuUs).toFixed(2)}× no-op)\n` +
      `RSS under load: ${ours.rssMiB.toFixed(1)} MiB (goal ≤ 80 MiB; ${(ours.rssMiB / echo.rssMiB).toFixed(2)}× parse-and-echo)\n`,
  );
  const ready = await startToReady(secret.certFile, secret.keyFile, dir);
  process.stdout.write(
    `start to ready (spawn → "ready" log line, 7 runs): median ${median(ready).toFixed(0)} ms, max ${ready.at(-1)?.toFixed(0)} ms (goal ≤ 500 ms)\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
