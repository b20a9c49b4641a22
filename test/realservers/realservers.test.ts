/**
 * The ground truth: real Debian servers are started with each command line of the table, their
 * worker processes are counted, and the engine's verdict on a container with the same command, args
 * and env must match what the server did. Where they disagree, the server is right.
 */
import { rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { checkContainer } from '../../src/engine';
import type { Finding } from '../../src/types';
import {
  DEFAULT_OBSERVE,
  expandKubernetes,
  kubeletEnv,
  makeAppDir,
  mapLimit,
  missingMessage,
  type Observation,
  observe,
  stopAll,
} from './harness';
import { ROWS, type Row, rowName } from './table';

/** Two servers at a time: the machine has two cores and other tests run alongside. */
const CONCURRENCY = 2;

const results = new Map<Row, Observation | Error>();
/** For rows that daemonize: the same command with a shell kept as the namespace's init. */
const daemons = new Map<Row, Observation | Error>();

/** Runs `argv`, then keeps the namespace alive, so the servers it left in the background can be counted. */
const KEEP_INIT = [
  '/bin/sh',
  '-c',
  '"$@"; echo "[harness] the command exited with status $?"; exec sleep 60',
  'sh',
];

function container(row: Row) {
  return {
    name: 'app',
    image: 'debian:bookworm',
    command: [...row.command],
    ...(row.args ? { args: [...row.args] } : {}),
    env: Object.entries(row.env ?? {}).map(([name, value]) => ({ name, value })),
  };
}

/** Queue workers are warnings by default; raised to errors here so every family is compared alike. */
function engineFindings(row: Row): Finding[] {
  return checkContainer(container(row), { path: 'spec.containers[0]', severity: { queue: 'error' } });
}

function summary(findings: readonly Finding[]): string {
  return findings.length === 0
    ? 'no finding'
    : findings.map((f) => `${f.severity} ${f.rule} workers=${f.workers}`).join('; ');
}

beforeAll(async () => {
  const runnable = ROWS.filter((row) => missingMessage(row.family) === undefined);
  await mapLimit(runnable, CONCURRENCY, async (row) => {
    const dir = await makeAppDir(row.files);
    try {
      const env = kubeletEnv(Object.entries(row.env ?? {}).map(([name, value]) => ({ name, value })));
      const argv = [...row.command, ...(row.args ?? [])].map((w) => expandKubernetes(w, env));
      const expected = row.workers === 'cpus' ? cpus().length : row.workers;
      // A row that daemonizes is watched until its process exits (no count is expected of it).
      const first = row.daemonizes === undefined && !row.refuses ? expected : -1;
      // It starts its servers one after the other before it exits: on a loaded machine that takes
      // longer than the usual watch, which ends as soon as it has exited.
      const watch = first === -1 ? { ...DEFAULT_OBSERVE, watchMs: 40_000 } : DEFAULT_OBSERVE;
      results.set(row, await observe({ family: row.family, argv, env, dir, expected: first }, watch));
      if (row.daemonizes !== undefined) {
        const kept = [...KEEP_INIT, ...argv];
        daemons.set(
          row,
          await observe({ family: row.family, argv: kept, env, dir, expected: row.daemonizes }, watch),
        );
      }
    } catch (err) {
      results.set(row, err instanceof Error ? err : new Error(String(err)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}, 300_000);

afterAll(async () => {
  await stopAll();
  const report = process.env.ONEPROC_REALSERVERS_REPORT;
  if (report) {
    const lines = ROWS.map((row) => {
      const obs = results.get(row);
      return JSON.stringify({
        command: rowName(row),
        real: obs instanceof Error || obs === undefined ? String(obs) : obs.workers,
        elapsedMs: obs instanceof Error || obs === undefined ? null : obs.elapsedMs,
        engine: summary(engineFindings(row)),
      });
    });
    await writeFile(report, `${lines.join('\n')}\n`);
  }
});

function observed(row: Row): Observation {
  const missing = missingMessage(row.family);
  if (missing) throw new Error(missing);
  const obs = results.get(row);
  if (obs === undefined) throw new Error('the server was not started (see the beforeAll failure)');
  if (obs instanceof Error) throw obs;
  const tail = obs.log.split('\n').slice(-25).join('\n');
  if (obs.exited) throw new Error(`the server exited by itself; its output:\n${tail}`);
  if (!obs.ready || !obs.stable) {
    throw new Error(
      `the server was not ${obs.ready ? 'stable' : 'ready'} within ${obs.elapsedMs} ms ` +
        `(${obs.workers} workers seen); its output:\n${tail}`,
    );
  }
  return obs;
}

describe.each([...new Set(ROWS.map((r) => r.family))])('%s, started for real', (family) => {
  const rows = ROWS.filter((r) => r.family === family);

  it.each(rows.map((row) => [rowName(row), row] as const))('%s', (_name, row) => {
    if (row.daemonizes !== undefined) {
      // The server's own process exits: as a container's command, the container stops.
      const first = results.get(row);
      if (first === undefined || first instanceof Error)
        throw first ?? new Error(missingMessage(family) ?? 'the server was not started');
      expect({ exited: first.exited, strays: first.survivors }).toEqual({ exited: true, strays: [] });
      const kept = daemons.get(row);
      if (kept === undefined || kept instanceof Error)
        throw kept ?? new Error('the daemons were not counted');
      expect({ daemons: kept.workers, strays: kept.survivors }).toEqual({
        daemons: row.daemonizes,
        strays: [],
      });
      // The engine says the container does not stay up, not a worker count.
      const findings = engineFindings(row);
      expect(findings.map((f) => ({ rule: f.rule, severity: f.severity, workers: f.workers }))).toEqual([
        { rule: family, severity: 'warning', workers: null },
      ]);
      expect(findings[0].message).toContain('in the background and exits');
      return;
    }
    if (row.refuses) {
      // The server exits at start: the engine says it refuses, a warning that the container will not start.
      const obs = results.get(row);
      if (obs === undefined || obs instanceof Error)
        throw obs ?? new Error(missingMessage(family) ?? 'the server was not started');
      expect({ exited: obs.exited, refusal: /Error|Invalid|invalid/.test(obs.log) }).toEqual({
        exited: true,
        refusal: true,
      });
      const findings = engineFindings(row);
      expect(findings.map((f) => ({ rule: f.rule, severity: f.severity, workers: f.workers }))).toEqual([
        { rule: family, severity: 'warning', workers: null },
      ]);
      expect(findings[0].message).toContain('will not start');
      return;
    }
    const obs = observed(row);
    const real = obs.workers;
    const expected = row.workers === 'cpus' ? cpus().length : row.workers;
    // The table is written from the servers' documentation and source; the server has the last word.
    expect({ workers: real, strays: obs.survivors }).toEqual({ workers: expected, strays: [] });

    const findings = engineFindings(row).map((f) => ({
      rule: f.rule,
      severity: f.severity,
      workers: f.workers,
    }));
    if (row.engine === 'hidden') {
      expect(findings).toEqual([{ rule: family, severity: 'warning', workers: null }]);
    } else if (row.workers === 'cpus') {
      expect(findings).toEqual([{ rule: family, severity: expect.any(String), workers: null }]);
    } else if (real > 1) {
      expect(findings).toEqual([{ rule: family, severity: 'error', workers: real }]);
    } else {
      expect(findings).toEqual([]);
    }
  });
});
