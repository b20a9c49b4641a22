/**
 * Starts and stops the real processes of the end-to-end tests: each in its own process group, on a
 * free loopback port, stopped by its id (the whole group) — never by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const EXAMPLE_DIR = `${__dirname}/../../examples/fastapi-sessions`;

/**
 * Records a number the demonstration proves (`npm run demo` prints them after the run): one JSON line
 * in the file named by ONEPROC_DEMO_FIGURES. Without it (a plain test run) nothing is written.
 */
export function figure(scene: string, text: string): void {
  const file = process.env.ONEPROC_DEMO_FIGURES;
  const test = path.basename(expect.getState().testPath ?? '');
  if (file) fs.appendFileSync(file, `${JSON.stringify({ test, scene, text })}\n`);
}

/** Debian packages the end-to-end tests run, by the file that proves each is installed. */
const NEEDS: Record<string, string> = {
  '/usr/bin/python3': 'python3',
  '/usr/lib/python3/dist-packages/fastapi': 'python3-fastapi',
  '/usr/lib/python3/dist-packages/uvicorn': 'python3-uvicorn',
  '/usr/lib/python3/dist-packages/redis': 'python3-redis',
  '/usr/bin/redis-server': 'redis-server',
  '/usr/sbin/nginx': 'nginx',
};

export function requireDebianPackages(): void {
  const missing = Object.entries(NEEDS).filter(([file]) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.map(([file]) => file).join(', ')}: install with apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(' ')} (npm test does)`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Started {
  readonly child: ChildProcess;
  readonly name: string;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<Started>();

/** Starts a command in its own process group. */
export function start(
  name: string,
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Started {
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out = (out + String(d)).slice(-20000);
  });
  child.stderr?.on('data', (d) => {
    out = (out + String(d)).slice(-20000);
  });
  const started: Started = {
    child,
    name,
    output: () => out,
    stop: async () => {
      running.delete(started);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {}
      }, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(started);
  return started;
}

/** Stops everything still running (afterAll, also after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

/** One request on a new connection (no keep-alive: a new connection may reach another process). */
export function request(
  port: number,
  path: string,
  options: { method?: string; cookie?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: { connection: 'close', ...(options.cookie ? { cookie: options.cookie } : {}) },
        timeout: 5000,
      },
      (res) => {
        let data = '';
        res.on('data', (d) => {
          data += d;
        });
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(data), headers: res.headers });
          } catch {
            reject(new Error(`${path}: not JSON (${res.statusCode}): ${data.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Waits until GET path answers 200, or fails with the process's output. */
export async function waitReady(port: number, path: string, proc: Started, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const answer = await request(port, path);
      if (answer.status === 200) return;
    } catch {}
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${proc.name} did not become ready on port ${port}:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Runs `count` requests, `concurrency` at a time. */
export async function many<T>(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}
