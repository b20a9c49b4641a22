import { celery } from '../../src/servers/celery/rule';
import { command } from './hand';

describe('celery rule', () => {
  it('is a queue rule', () => {
    expect(celery.category).toBe('queue');
  });

  it('recognises celery and python -m celery', () => {
    expect(celery.recognise(command(['celery', '-A', 'p', 'worker']))).toBe(true);
    expect(celery.recognise(command(['python3', '-m', 'celery', 'worker']))).toBe(true);
    expect(celery.recognise(command(['python3', '-m', 'gunicorn']))).toBe(false);
  });

  it('reads the prefork default as one process per CPU, at the subcommand', () => {
    expect(celery.decide(command(['celery', '-A', 'proj', 'worker']))).toEqual({
      outcome: 'multiple',
      workers: null,
      evidence: 'celery -A proj worker',
      path: 'command[3]',
      why: "celery's prefork pool starts one process per CPU by default, unless the app's configuration sets `worker_concurrency` (in Django settings, CELERY_WORKER_CONCURRENCY), which oneproc does not read",
    });
  });

  it('lets the command line win over CELERY_WORKER_CONCURRENCY', () => {
    const cmd = command(['celery', '-A', 'proj', 'worker', '-c', '3'], { CELERY_WORKER_CONCURRENCY: '1' });
    expect(celery.decide(cmd)).toMatchObject({ outcome: 'multiple', workers: 3, path: 'command[5]' });
  });

  it('reads CELERY_WORKER_CONCURRENCY when there is no option', () => {
    const cmd = command(['celery', '-A', 'proj', 'worker'], { CELERY_WORKER_CONCURRENCY: '5' });
    expect(celery.decide(cmd)).toMatchObject({
      outcome: 'multiple',
      workers: 5,
      evidence: 'CELERY_WORKER_CONCURRENCY=5',
      path: 'env[0].value',
    });
  });

  it.each(['solo', 'threads', 'gevent', 'eventlet'])('treats -P %s as one process', (pool) => {
    expect(celery.decide(command(['celery', '-A', 'p', 'worker', '-P', pool, '-c', '8'])).outcome).toBe(
      'single',
    );
  });

  it('reads --autoscale MAX,MIN as up to MAX processes', () => {
    const decision = celery.decide(command(['celery', '-A', 'p', 'worker', '--autoscale=6,2']));
    expect(decision).toMatchObject({ outcome: 'multiple', workers: 6 });
    expect(celery.fix(decision)).toContain('drop `--autoscale`');
  });

  it('keeps the reason of an unknown env value', () => {
    const cmd = command(['celery', '-A', 'p', 'worker'], {
      CELERY_WORKER_CONCURRENCY: { unknown: 'from a Secret' },
    });
    expect(celery.decide(cmd)).toEqual({
      outcome: 'unknown',
      evidence: 'CELERY_WORKER_CONCURRENCY=…',
      path: 'env[0]',
      why: 'from a Secret',
    });
  });

  it.each(['beat', 'flower', 'inspect', 'events', 'shell'])('does not judge celery %s', (sub) => {
    expect(celery.decide(command(['celery', '-A', 'p', sub])).outcome).toBe('single');
  });

  it('names the exact change in fix()', () => {
    const decision = celery.decide(command(['celery', '-A', 'p', 'worker', '-c', '4']));
    expect(celery.fix(decision)).toContain('use `--concurrency 1` or `--pool solo`');
  });
});
