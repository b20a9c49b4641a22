import { gunicorn } from '../../src/servers/gunicorn/rule';
import { command } from './build';

const decide = (argv: string[], env = {}) => gunicorn.decide(command(argv, env));

describe('gunicorn rule', () => {
  it('recognises gunicorn by the basename of argv[0]', () => {
    expect(gunicorn.recognise(command(['/usr/local/bin/gunicorn', 'app:app']))).toBe(true);
    expect(gunicorn.recognise(command(['gunicorn3', 'app:app']))).toBe(true);
    expect(gunicorn.recognise(command(['uvicorn', 'app:app']))).toBe(false);
  });

  it.each([
    [['-w', '4'], '-w 4', 'container.args[3]'],
    [['-w4'], '-w4', 'container.args[2]'],
    [['-w=4'], '-w=4', 'container.args[2]'],
    [['--workers', '4'], '--workers 4', 'container.args[3]'],
    [['--workers=4'], '--workers=4', 'container.args[2]'],
  ])('reads %j as 4 workers', (opt, evidence, path) => {
    expect(decide(['gunicorn', 'app:app', ...opt])).toEqual({
      outcome: 'multiple',
      workers: 4,
      evidence,
      path,
      cause: { kind: 'cli', name: opt[0].slice(0, opt[0].startsWith('--') ? 9 : 2), at: { field: path } },
    });
  });

  it('keeps the last occurrence, as argparse does', () => {
    expect(decide(['gunicorn', '-w', '4', 'app:app', '--workers', '1']).outcome).toBe('single');
    expect(decide(['gunicorn', '-w', '1', 'app:app', '-w', '2'])).toMatchObject({ workers: 2 });
  });

  it('treats -w 0 as an arbiter with no workers', () => {
    expect(decide(['gunicorn', '-w', '0', 'app:app'], { WEB_CONCURRENCY: '4' }).outcome).toBe('single');
  });

  it('does not count threads, worker classes or worker connections', () => {
    const argv = ['gunicorn', '--threads', '8', '-k', 'uvicorn.workers.UvicornWorker'];
    expect(decide([...argv, '--worker-connections', '1000', '--worker-tmp-dir', '/dev/shm', 'a:b'])).toEqual({
      outcome: 'single',
    });
  });

  it('reads WEB_CONCURRENCY as the default', () => {
    expect(decide(['gunicorn', 'app:app'], { WEB_CONCURRENCY: '3' })).toMatchObject({
      workers: 3,
      evidence: 'WEB_CONCURRENCY=3',
      path: 'container.env[0].value',
    });
  });

  it('puts the command line over GUNICORN_CMD_ARGS over WEB_CONCURRENCY', () => {
    const env = { GUNICORN_CMD_ARGS: '--bind 0.0.0.0:80 -w 3', WEB_CONCURRENCY: '5' };
    expect(decide(['gunicorn', 'a:b', '-w', '2'], env)).toMatchObject({ workers: 2 });
    expect(decide(['gunicorn', 'a:b'], env)).toMatchObject({
      workers: 3,
      path: 'container.env[0].value',
    });
    expect(decide(['gunicorn', 'a:b'], { GUNICORN_CMD_ARGS: "--access-logformat '%(h)s -w 9'" })).toEqual({
      outcome: 'single',
    });
  });

  it('is unknown when GUNICORN_CMD_ARGS cannot be read and the command line has no count', () => {
    expect(decide(['gunicorn', 'a:b'], { GUNICORN_CMD_ARGS: { unknown: 'from a ConfigMap' } })).toMatchObject(
      {
        outcome: 'unknown',
        path: 'container.env[0]',
      },
    );
    expect(decide(['gunicorn', 'a:b', '-w', '1'], { GUNICORN_CMD_ARGS: { unknown: 'x' } }).outcome).toBe(
      'single',
    );
  });

  it('warns about a named config file when nothing fixes the count', () => {
    expect(decide(['gunicorn', '-c', 'gunicorn.conf.py', 'a:b'])).toMatchObject({
      outcome: 'unknown',
      evidence: '-c gunicorn.conf.py',
      path: 'container.args[2]',
    });
    expect(decide(['gunicorn', '--config=python:app.conf', 'a:b'])).toMatchObject({ outcome: 'unknown' });
    expect(decide(['gunicorn', 'a:b'], { GUNICORN_CMD_ARGS: '-c /etc/g.py' })).toMatchObject({
      outcome: 'unknown',
    });
    // A config path not known here is said as such, never as a file that is missing.
    expect(decide(['gunicorn', '-c', '?$GUNICORN_CONF', 'a:b'])).toMatchObject({
      outcome: 'unknown',
      why: 'which config file it loads is not known here (test reason), and that file may set `workers` (a count on the command line would win over it)',
    });
    expect(decide(['gunicorn', '-c', 'g.py', '-w', '1', 'a:b']).outcome).toBe('single');
    expect(decide(['gunicorn', '-c', 'g.py', '-w', '4', 'a:b'])).toMatchObject({ workers: 4 });
    expect(decide(['gunicorn', '-c', 'g.py', 'a:b'], { WEB_CONCURRENCY: '4' })).toMatchObject({
      outcome: 'multiple',
      workers: 4,
      why: 'unless `g.py` sets workers to 1',
    });
  });

  it('names the exact change', () => {
    expect(gunicorn.fix(decide(['gunicorn', '-w4', 'a:b']))).toBe('drop `-w4` (or set `--workers 1`)');
    expect(gunicorn.fix(decide(['gunicorn', '-c', 'g.py', 'a:b']))).toBe(
      'pass `--workers 1` on the command line (it wins over the config file)',
    );
    expect(gunicorn.fix(decide(['gunicorn', 'a:b'], { GUNICORN_CMD_ARGS: '-w 4' }))).toContain(
      'GUNICORN_CMD_ARGS',
    );
  });
});
