/**
 * Runs many hostile repositories through `oneproc check` (see repos.ts and check-harness.ts) in
 * child processes: each batch of inputs in a fresh process whose heap is bounded by
 * --max-old-space-size, and each input killed when it takes longer than the time bound; a process
 * that dies or is killed charges the input it was on and a new one goes on from the next input.
 * Used by bench/fuzz/check.ts and test/cli/check.fuzz.test.ts.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { ChildJob, ChildMessage } from './check-child';
import { PROPERTIES, type Property } from './check-harness';
import { describeRepo, type Entry, type HostileRepo, hostileRepo } from './repos';

export interface FuzzOptions {
  readonly runs: number;
  readonly seed: number;
  /** Worker processes at once. */
  readonly jobs: number;
  /** Inputs per worker process (each batch has its own sample seed: `seed + batch`). */
  readonly batch: number;
  /** The time bound of one input, ms: a worker still on it then is killed. */
  readonly timeoutMs: number;
  /** The heap bound of a worker process, MiB. */
  readonly heapMb: number;
  /** A worker past this resident set, MiB, is replaced after its input (default 1024). */
  readonly recycleMb?: number;
  /** Called now and then with the inputs done so far. */
  readonly progress?: (done: number) => void;
}

/** An input: `SEED:INDEX`, the sample seed of its batch and its index in the batch. */
export interface Example {
  readonly id: string;
  readonly detail: string;
  /** The input, described (see `describeRepo`). */
  readonly repo: string;
}

export interface FuzzReport {
  readonly runs: number;
  readonly seed: number;
  readonly seconds: number;
  /** Inputs that broke each property (an input may break several). */
  readonly counts: Record<Property, number>;
  /** The first few inputs that broke each property. */
  readonly examples: Record<Property, Example[]>;
  /** Inputs by the kind of failure (see `Failure.kind`). */
  readonly classes: Record<Property, Record<string, number>>;
  /** Time inside `run()` per input, ms: mean, median and 99th percentile (inputs that finished). */
  readonly meanMs: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly slowest: readonly { id: string; ms: number; repo: string }[];
  /** The inputs that raised a worker's peak resident set the most. */
  readonly largest: readonly { id: string; rssRiseMiB: number; heapMiB: number; repo: string }[];
  /** The highest peak resident set of any worker, MiB. */
  readonly peakRssMiB: number;
  /** Worker processes started (one per batch, plus one after each killed or dead worker). */
  readonly workers: number;
}

const CHILD = path.join(__dirname, 'check-child.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const EXAMPLES = 5;
const TOP = 5;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-fuzz-'));
  const counts = Object.fromEntries(Object.keys(PROPERTIES).map((p) => [p, 0])) as Record<Property, number>;
  const examples = Object.fromEntries(Object.keys(PROPERTIES).map((p) => [p, []])) as unknown as Record<
    Property,
    Example[]
  >;
  const classes = Object.fromEntries(Object.keys(PROPERTIES).map((p) => [p, {}])) as Record<
    Property,
    Record<string, number>
  >;
  const times: number[] = [];
  let slowest: { id: string; ms: number }[] = [];
  let largest: { id: string; rssRise: number; heap: number }[] = [];
  let peakRss = 0;
  let workers = 0;
  let done = 0;
  /** Inputs whose description the parent must regenerate (time, memory, crash): id → examples. */
  const pending = new Map<string, Example[]>();
  /** Inputs that stopped a worker, classified at the end by what they hold. */
  const stopped: { id: string; property: Property }[] = [];

  const charge = (id: string, property: Property, kind: string, detail: string, repo?: string) => {
    counts[property]++;
    if (kind !== '') classes[property][kind] = (classes[property][kind] ?? 0) + 1;
    if (examples[property].length >= EXAMPLES) return;
    const example = { id, detail, repo: repo ?? '' };
    examples[property].push(example);
    if (repo === undefined) pending.set(id, [...(pending.get(id) ?? []), example]);
  };

  const batches = Math.ceil(options.runs / options.batch);
  let next = 0;
  const worker = async (slot: number) => {
    const dir = path.join(work, `worker-${slot}`);
    while (next < batches) {
      const b = next++;
      const seed = options.seed + b;
      const size = Math.min(options.batch, options.runs - b * options.batch);
      let from = 0;
      let attempts = 0;
      while (from < size) {
        workers++;
        const start = from;
        const job = { seed, size, from, dir, recycleMb: options.recycleMb ?? 1024 };
        const result = await runChild(job, options, (m) => {
          if (m.t !== 'done') return;
          const id = `${seed}:${m.i}`;
          from = m.i + 1;
          attempts = 0;
          done++;
          times.push(m.ms);
          if (options.progress && done % 100 === 0) options.progress(done);
          const seen = new Set<Property>();
          for (const f of m.failures) {
            if (seen.has(f.property)) continue;
            seen.add(f.property);
            charge(id, f.property, f.kind, f.detail, m.repo);
          }
          peakRss = Math.max(peakRss, m.maxRss);
          slowest = top(slowest, { id, ms: m.ms }, (x) => x.ms);
          largest = top(
            largest,
            { id, rssRise: m.rssRise, heap: m.heap },
            (x) => x.rssRise * 1e6 + x.heap / 1024,
          );
        });
        if (result.stopped === undefined) {
          // Done, or recycled after an input: a fresh worker goes on from the next one.
          if (from === start && ++attempts >= 3)
            throw new Error(`the fuzz worker makes no progress:\n${result.stderr}`);
          continue;
        }
        if (result.stopped.index === undefined) {
          // The worker died between inputs: the harness is broken, not an input.
          if (++attempts >= 3) throw new Error(`the fuzz worker fails outside any input:\n${result.stderr}`);
          continue;
        }
        const { index, property, detail } = result.stopped;
        done++;
        charge(`${seed}:${index}`, property, '', detail);
        stopped.push({ id: `${seed}:${index}`, property });
        from = index + 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, (_, slot) => worker(slot)));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  // Describe the inputs the parent only knows by id.
  const wanted = new Set([
    ...stopped.map((s) => s.id),
    ...slowest.map((s) => s.id),
    ...largest.map((s) => s.id),
  ]);
  const inputs = regenerate(wanted);
  const described = new Map([...inputs].map(([id, repo]) => [id, describeRepo(repo)]));
  for (const [id, list] of pending) for (const e of list) Object.assign(e, { repo: described.get(id) ?? '' });
  for (const { id, property } of stopped) {
    const kind = inputs.has(id) ? heaviest(inputs.get(id)!) : 'unknown';
    classes[property][kind] = (classes[property][kind] ?? 0) + 1;
  }

  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    runs: done,
    seed: options.seed,
    seconds: (performance.now() - started) / 1000,
    counts,
    examples,
    classes,
    meanMs: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    medianMs: at(0.5),
    p99Ms: at(0.99),
    slowest: slowest.map((s) => ({ ...s, repo: described.get(s.id) ?? '' })),
    largest: largest.map((s) => ({
      id: s.id,
      rssRiseMiB: s.rssRise / 1024,
      heapMiB: s.heap / 2 ** 20,
      repo: described.get(s.id) ?? '',
    })),
    peakRssMiB: peakRss / 1024,
    workers,
  };
}

interface Stopped {
  /** The input the worker was on when it was killed or died; undefined before its first input. */
  readonly index?: number;
  readonly property: Property;
  readonly detail: string;
}

/** Runs one worker process to its end; `stopped` says why it ended early. */
function runChild(
  job: ChildJob,
  options: FuzzOptions,
  onMessage: (m: ChildMessage) => void,
): Promise<{ stopped?: Stopped; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(CHILD, [JSON.stringify(job)], {
      execArgv: ['--import', TSX, `--max-old-space-size=${options.heapMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let current: number | undefined;
    let started = 0;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    child.on('message', (m: ChildMessage) => {
      if (m.t === 'start') {
        current = m.i;
        started = performance.now();
        timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs);
      } else {
        clearTimeout(timer);
        current = undefined;
      }
      onMessage(m);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (current === undefined && code === 0) return resolve({ stderr });
      const ms = Math.round(performance.now() - started);
      const property: Property = timedOut
        ? 'time'
        : /heap out of memory|Allocation failed|Reached heap limit/.test(stderr)
          ? 'memory'
          : 'crash';
      const detail =
        property === 'time'
          ? `killed after ${ms} ms (bound ${options.timeoutMs} ms)`
          : property === 'memory'
            ? `heap over ${options.heapMb} MiB after ${ms} ms`
            : `the worker ended (${signal ?? `exit ${code}`}): ${stderr.slice(-600)}`;
      resolve({
        stopped: { ...(current === undefined ? {} : { index: current }), property, detail },
        stderr,
      });
    });
  });
}

function top<T>(list: T[], item: T, score: (x: T) => number): T[] {
  if (list.length >= TOP && score(item) <= score(list[list.length - 1]!)) return list;
  return [...list, item].sort((a, b) => score(b) - score(a)).slice(0, TOP);
}

/** The inputs known by id, generated again from their sample seed. */
function regenerate(ids: Iterable<string>): Map<string, HostileRepo> {
  const bySeed = new Map<number, number[]>();
  for (const id of ids) {
    const [seed, index] = id.split(':').map(Number) as [number, number];
    bySeed.set(seed, [...(bySeed.get(seed) ?? []), index]);
  }
  const out = new Map<string, HostileRepo>();
  for (const [seed, indexes] of bySeed) {
    const sample = fc.sample(hostileRepo, { seed, numRuns: Math.max(...indexes) + 1 });
    for (const i of indexes) out.set(`${seed}:${i}`, sample[i]!);
  }
  return out;
}

/**
 * What an input that stopped its worker holds that costs the most, as a kind of failure: its planted
 * items and its largest recipe (a big file, an alias bomb), e.g. `shared-image` or `k8s/aliases.yaml`.
 */
function heaviest(repo: HostileRepo): string {
  const size = (e: Entry) => (e.kind === 'big' ? e.bytes : e.kind === 'lines' ? e.count * 12 : 0);
  const big = [...repo.entries].sort((a, b) => size(b) - size(a))[0];
  const parts: string[] = repo.planted.map((p) => p.kind);
  if (big && size(big) > 0 && !big.path.startsWith('planted-')) parts.push(big.path);
  return parts.length > 0 ? parts.join(' + ') : 'no planted item or big file';
}
