/**
 * Environments share instead of copy (src/shell/env.ts): a command's env is an overlay over its
 * parent's, so a Pod with many env vars and many `A=B cmd` commands is read in bounded memory.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { checkContainer } from '../../src/engine';
import { containerCommands } from '../../src/shell';
import { EnvBuilder, OverlayEnv } from '../../src/shell/env';
import type { EnvEntry } from '../../src/shell/types';

const entry = (name: string, value: string): EnvEntry => ({ name, value, path: `env.${name}` });

describe('OverlayEnv', () => {
  const base = new Map([
    ['A', entry('A', '1')],
    ['B', entry('B', '2')],
    ['C', entry('C', '3')],
  ]);

  it('reads through to its parent and lets its own entries win, as a copied Map would', () => {
    const env = OverlayEnv.with(base, [entry('B', 'two'), entry('D', '4')], ['C']);
    const copy = new Map(base);
    copy.set('B', entry('B', 'two'));
    copy.set('D', entry('D', '4'));
    copy.delete('C');
    expect([...env]).toEqual([...copy]);
    expect(env.size).toBe(3);
    expect(env.get('C')).toBeUndefined();
    expect(env.has('C')).toBe(false);
    expect(env.get('A')).toBe(base.get('A'));
    expect(new Map(env).get('B')?.value).toBe('two');
  });

  it('returns the parent itself when nothing changes', () => {
    expect(OverlayEnv.with(base, [])).toBe(base);
  });
});

describe('EnvBuilder', () => {
  it('hands out snapshots that later changes never alter', () => {
    const builder = new EnvBuilder(new Map());
    builder.set(entry('X', '1'));
    const first = builder.snapshot();
    builder.set(entry('X', '2'));
    builder.remove('Y');
    const second = builder.snapshot();
    expect(first.get('X')?.value).toBe('1');
    expect(second.get('X')?.value).toBe('2');
    expect(builder.snapshot()).toBe(second);
  });

  it('keeps the chain of overlays logarithmic however often a script exports and runs', () => {
    const builder = new EnvBuilder(new Map());
    let snapshot = builder.snapshot();
    for (let i = 0; i < 4096; i++) {
      builder.set(entry(`V${i}`, String(i)));
      snapshot = builder.snapshot();
    }
    expect(snapshot instanceof OverlayEnv && snapshot.depth).toBeLessThanOrEqual(13);
    expect(snapshot.get('V0')?.value).toBe('0');
    expect(snapshot.get('V4095')?.value).toBe('4095');
    expect(snapshot.size).toBe(4096);
  });
});

describe('the environment of script commands', () => {
  it('gives each command the exports made before it and its own prefixes, not later ones', () => {
    const { commands } = containerCommands(
      {
        command: ['sh', '-c', 'export W=2; A=1 gunicorn app; export W=3; unset K; uvicorn app'],
        env: [
          { name: 'K', value: 'k' },
          { name: 'W', value: '1' },
        ],
      },
      'spec.containers[0]',
    );
    const envs = commands.map((c) => Object.fromEntries([...c.env].map(([n, e]) => [n, e.value])));
    expect(envs).toEqual([{ K: 'k', W: '2', A: '1' }, { W: '3' }]);
  });

  it('judges `env A=B` wrappers with the variables they set', () => {
    const findings = checkContainer({
      command: ['env', 'WEB_CONCURRENCY=4', 'env', '-u', 'X', 'uvicorn', 'main:app'],
      env: [{ name: 'X', value: '1' }],
    });
    expect(findings.map((f) => [f.rule, f.workers])).toEqual([['uvicorn', 4]]);
  });
});

describe('memory', () => {
  // Each `Q=1 cmd` once copied the whole env: 5,000 × 1,000 entries took 288 MiB, 60,000 env vars
  // 2.3 GiB. Read under a 64 MiB heap, the process must finish with the (empty) findings.
  it.each(['5,000 env + 1,000 `Q=1 cmd`', '60,000 env + 1,000 `Q=1 cmd`'])(
    'checks %s within a 64 MiB heap',
    (name) => {
      const run = spawnSync(
        process.execPath,
        [
          '--max-old-space-size=64',
          '--import',
          'tsx',
          path.join(__dirname, 'fixtures/check-hostile.ts'),
          name,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect({ status: run.status, signal: run.signal, stdout: run.stdout.trim() }).toEqual({
        status: 0,
        signal: null,
        stdout: '[]',
      });
    },
  );
});
