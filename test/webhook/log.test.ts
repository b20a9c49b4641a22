/**
 * The webhook's JSON log with a reader that stalls or goes away: lines beyond the queue bound are
 * dropped and counted, a write error stops the log without an unhandled error, and `close` gives up
 * after its deadline. A real pipe to a child process that does not read (or has exited) stands for
 * the container runtime's log reader.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { JsonLog, type LogDrop } from '../../src/webhook/log';

/**
 * A child whose standard input is our pipe: one that never reads (stopped with SIGSTOP), or one that
 * closes its end and lives on, so that our writes fail with EPIPE.
 */
function reader(kind: 'stalled' | 'gone'): Promise<ChildProcess> {
  const script =
    kind === 'gone'
      ? "require('node:fs').closeSync(0); process.stdout.write('closed'); setInterval(() => {}, 1000)"
      : 'setInterval(() => {}, 1000)';
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve) => {
    child.once('spawn', () => {
      if (kind === 'stalled') child.kill('SIGSTOP');
      resolve(child);
    });
  });
}

const entry = (i: number) => ({
  level: 'info' as const,
  msg: 'review',
  uid: `uid-${i}`,
  padding: 'x'.repeat(200),
});

describe('JsonLog', () => {
  it('drops and counts lines beyond the queue bound when the reader stalls, holding at most the bound', async () => {
    const child = await reader('stalled');
    const drops: LogDrop[] = [];
    const log = new JsonLog({
      stream: child.stdin!,
      maxQueuedBytes: 256 * 1024,
      onDrop: (r) => drops.push(r),
    });
    let peak = 0;
    for (let i = 0; i < 20_000; i++) {
      log.log(entry(i));
      if (i % 100 === 99) {
        await new Promise((r) => setImmediate(r));
        peak = Math.max(peak, log.queuedBytes);
      }
    }
    await new Promise((r) => setImmediate(r));
    expect(drops.length).toBeGreaterThan(10_000);
    expect(new Set(drops)).toEqual(new Set(['backlog']));
    expect(peak).toBeLessThanOrEqual(256 * 1024);
    // The reader never reads: close gives up.
    expect(await log.close(100)).toBe(false);
    child.kill('SIGKILL');
  });

  it('stops at a write error (EPIPE) without an unhandled error, counting every later line', async () => {
    const child = await reader('gone');
    await new Promise((r) => child.stdout?.once('data', r));
    const drops: LogDrop[] = [];
    const log = new JsonLog({ stream: child.stdin!, onDrop: (r) => drops.push(r) });
    log.log(entry(0));
    for (let i = 0; i < 50 && !log.broken; i++) {
      await new Promise((r) => setTimeout(r, 10));
      log.log(entry(i));
    }
    expect(log.broken).toBe(true);
    const before = drops.length;
    for (let i = 0; i < 10; i++) log.log(entry(i));
    expect(drops.slice(before)).toEqual(Array(10).fill('error'));
    expect(await log.close(100)).toBe(false);
    child.kill('SIGKILL');
  });

  it('counts lines written to a stream that was destroyed', async () => {
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    const drops: LogDrop[] = [];
    const log = new JsonLog({ stream, onDrop: (r) => drops.push(r) });
    stream.destroy();
    log.log(entry(1));
    expect(drops).toEqual(['error']);
  });

  it('writes one JSON object per line, time first, and drains on close', async () => {
    const chunks: string[] = [];
    const { Writable } = await import('node:stream');
    const stream = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    const log = new JsonLog({ stream });
    log.log({ level: 'info', msg: 'ready', port: 8443 });
    log.log({ level: 'warn', msg: 'review', uid: 'a"b' });
    expect(await log.close(100)).toBe(true);
    const lines = chunks.join('').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l))).toEqual([
      { time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', msg: 'ready', port: 8443 },
      { time: expect.any(String), level: 'warn', msg: 'review', uid: 'a"b' },
    ]);
  });
});
