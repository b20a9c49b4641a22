/**
 * Two builds of `oneproc serve` against each other, and the parse-and-echo responder, under the same
 * load, round after round (so a busy machine slows all three alike): throughput and the server's own
 * CPU time per request (user + system from /proc), which a shared machine inflates far less than
 * wall-clock throughput. For telling a change's cost from the machine's noise.
 *
 *   npm run build && BASE=/path/to/a/built/checkout npx tsx bench/webhook/compare.ts   (ROUNDS=5 DURATION=10)
 *
 * Servers run as the image starts them (`--max-semi-space-size=2`), pinned to CPU 0; wrk (Debian's) to
 * CPU 1 with 64 keep-alive TLS connections and the 1,018-byte review of bench/webhook/run.ts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admissionReview, makeCa, SecretDir, UVICORN_1, workload } from '../../test/webhook/helpers';

const ROOT = join(__dirname, '..', '..');
const BASE = process.env.BASE ?? '';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DURATION = Number(process.env.DURATION ?? 10);

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!existsSync(join(BASE, 'dist/cli/serve.js'))) {
    throw new Error('set BASE to a checkout of another commit, built with `npm run build`');
  }
  const dir = mkdtempSync(join(tmpdir(), 'oneproc-compare-'));
  const ca = await makeCa();
  const secret = new SecretDir(await ca.issue());
  const body = JSON.stringify(admissionReview({ object: workload('Deployment', 'api', [UVICORN_1]) }));
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`,
  );
  const serve = (root: string) => [
    '--max-semi-space-size=2',
    join(root, 'bin/oneproc.js'),
    'serve',
    ...['--tls-cert', secret.certFile, '--tls-key', secret.keyFile, '--port', '0', '--metrics-port', '0'],
    ...['--host', '127.0.0.1'],
  ];
  const targets: Record<string, string[]> = {
    [`base (${BASE})`]: serve(BASE),
    'this checkout': serve(ROOT),
    'parse-and-echo responder': [join(__dirname, 'baselines.js'), 'echo', secret.certFile, secret.keyFile],
  };
  const results: Record<string, { rps: number; cpuUs: number }[]> = {};
  let logs = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, args] of Object.entries(targets)) {
      const log = join(dir, `server-${++logs}.log`);
      const child: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, ...args], {
        stdio: ['ignore', openSync(log, 'w'), openSync(`${log}.err`, 'w')],
      });
      let port = 0;
      while (!port) {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): see ${log}`);
        await sleep(10);
        port = Number(/"msg":"ready","port":(\d+)/.exec(readFileSync(log, 'utf8'))?.[1] ?? 0);
      }
      const wrk = (seconds: number) =>
        execFileSync(
          'taskset',
          [
            '-c',
            '1',
            'wrk',
            '-t1',
            '-c64',
            `-d${seconds}s`,
            '-s',
            script,
            `https://127.0.0.1:${port}/validate`,
          ],
          { encoding: 'utf8' },
        );
      wrk(3);
      const before = cpuMs(child.pid ?? 0);
      const text = wrk(DURATION);
      const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
      const cpuUs = ((cpuMs(child.pid ?? 0) - before) * 1000) / requests;
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
      results[name] = [...(results[name] ?? []), { rps, cpuUs }];
      process.stdout.write(
        `round ${round} ${name}: ${rps.toFixed(0)} req/s, ${cpuUs.toFixed(1)} µs CPU/req\n`,
      );
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  process.stdout.write('\nmedian of rounds:\n');
  for (const [name, rs] of Object.entries(results)) {
    process.stdout.write(
      `  ${name}: ${median(rs.map((r) => r.rps)).toFixed(0)} req/s, ${median(rs.map((r) => r.cpuUs)).toFixed(1)} µs CPU/req\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
