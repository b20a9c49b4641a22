import { dramatiq } from '../../src/servers/dramatiq/rule';
import { rq } from '../../src/servers/rq/rule';
import { sidekiq } from '../../src/servers/sidekiq/rule';
import { command } from './hand';

describe('dramatiq rule', () => {
  it('is a queue rule that reads the CPU-count default', () => {
    expect(dramatiq.category).toBe('queue');
    expect(dramatiq.decide(command(['dramatiq', 'tasks']))).toMatchObject({
      outcome: 'multiple',
      workers: null,
      path: 'command[0]',
    });
  });

  it('reads -p, with the last occurrence winning, and leaves -t alone', () => {
    expect(dramatiq.decide(command(['dramatiq', 'tasks', '-p', '4', '-p', '1'])).outcome).toBe('single');
    expect(dramatiq.decide(command(['dramatiq', 'tasks', '-t', '1', '-p', '2']))).toMatchObject({
      workers: 2,
    });
    expect(dramatiq.fix(dramatiq.decide(command(['dramatiq', 'tasks'])))).toBe(
      'use `--processes 1` (`-p 1`)',
    );
  });
});

describe('rq rule', () => {
  it('treats rq worker as one process and reads worker-pool -n', () => {
    expect(rq.category).toBe('queue');
    expect(rq.decide(command(['rq', 'worker', '-n', '4'])).outcome).toBe('single');
    expect(rq.decide(command(['rq', 'worker-pool', '-n', '4']))).toMatchObject({
      outcome: 'multiple',
      workers: 4,
      path: 'command[3]',
    });
    expect(rq.decide(command(['rq', 'worker-pool'])).outcome).toBe('single');
  });
});

describe('sidekiq rule', () => {
  it('treats -c as threads and sidekiqswarm as one process per core', () => {
    expect(sidekiq.category).toBe('queue');
    expect(sidekiq.decide(command(['sidekiq', '-c', '25'])).outcome).toBe('single');
    expect(sidekiq.decide(command(['sidekiqswarm']))).toMatchObject({ outcome: 'multiple', workers: null });
    expect(sidekiq.decide(command(['sidekiqswarm'], { SIDEKIQ_COUNT: '1' })).outcome).toBe('single');
    expect(
      sidekiq.decide(command(['sidekiqswarm'], { SIDEKIQ_COUNT: { unknown: 'from a Secret' } })),
    ).toEqual({
      outcome: 'unknown',
      evidence: 'SIDEKIQ_COUNT=…',
      path: 'env[0]',
      why: 'from a Secret',
    });
  });
});
