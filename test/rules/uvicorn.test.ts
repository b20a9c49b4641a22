import { uvicorn } from '../../src/servers/uvicorn/rule';
import { command } from './build';

const decide = (argv: string[], env = {}) => uvicorn.decide(command(argv, env));

describe('uvicorn rule', () => {
  it('recognises uvicorn by the basename of argv[0]', () => {
    expect(uvicorn.recognise(command(['uvicorn', 'app:app']))).toBe(true);
    expect(uvicorn.recognise(command(['/app/.venv/bin/uvicorn', 'app:app']))).toBe(true);
    expect(uvicorn.recognise(command(['gunicorn', 'app:app']))).toBe(false);
  });

  it('reads --workers N and --workers=N, the last one winning', () => {
    expect(decide(['uvicorn', 'a:b', '--workers', '4'])).toEqual({
      outcome: 'multiple',
      workers: 4,
      evidence: '--workers 4',
      path: 'container.args[3]',
      // Which setting decides, as data: the option's value word and its name.
      cause: { kind: 'cli', name: '--workers', at: { field: 'container.args[3]' } },
    });
    expect(decide(['uvicorn', 'a:b', '--workers=3'])).toMatchObject({ outcome: 'multiple', workers: 3 });
    expect(decide(['uvicorn', '--workers', '4', 'a:b', '--workers', '1'])).toMatchObject({
      outcome: 'single',
    });
  });

  it('has no short form: -w is not a worker count', () => {
    expect(decide(['uvicorn', 'a:b', '-w', '4'])).toEqual({ outcome: 'single' });
  });

  it('puts the command line over UVICORN_WORKERS over WEB_CONCURRENCY', () => {
    const env = { UVICORN_WORKERS: '3', WEB_CONCURRENCY: '5' };
    expect(decide(['uvicorn', 'a:b', '--workers', '2'], env)).toMatchObject({ workers: 2 });
    expect(decide(['uvicorn', 'a:b'], env)).toMatchObject({ workers: 3, evidence: 'UVICORN_WORKERS=3' });
    expect(decide(['uvicorn', 'a:b'], { WEB_CONCURRENCY: '5' })).toMatchObject({
      workers: 5,
      evidence: 'WEB_CONCURRENCY=5',
      path: 'container.env[0].value',
    });
  });

  it('treats --workers 0 as one worker and does not fall back to WEB_CONCURRENCY', () => {
    expect(decide(['uvicorn', 'a:b', '--workers', '0'], { WEB_CONCURRENCY: '4' }).outcome).toBe('single');
    expect(decide(['uvicorn', 'a:b'], { UVICORN_WORKERS: '0', WEB_CONCURRENCY: '4' }).outcome).toBe('single');
  });

  it('ignores an empty UVICORN_WORKERS, as click does', () => {
    expect(decide(['uvicorn', 'a:b'], { UVICORN_WORKERS: '', WEB_CONCURRENCY: '4' })).toMatchObject({
      workers: 4,
    });
  });

  it('runs one server process under --reload or UVICORN_RELOAD', () => {
    expect(decide(['uvicorn', 'a:b', '--reload', '--workers', '4']).outcome).toBe('single');
    expect(decide(['uvicorn', 'a:b'], { UVICORN_RELOAD: 'true', WEB_CONCURRENCY: '4' }).outcome).toBe(
      'single',
    );
    expect(decide(['uvicorn', 'a:b'], { UVICORN_RELOAD: 'false', WEB_CONCURRENCY: '4' }).outcome).toBe(
      'multiple',
    );
  });

  it('is unknown when the reload switch cannot be read and the count is above one', () => {
    expect(
      decide(['uvicorn', 'a:b', '--workers', '4'], { UVICORN_RELOAD: { unknown: 'valueFrom' } }),
    ).toMatchObject({ outcome: 'unknown', path: 'container.args[3]' });
  });

  it('warns about --env-file only when nothing else fixes the count', () => {
    expect(decide(['uvicorn', 'a:b', '--env-file', '.env'])).toMatchObject({
      outcome: 'unknown',
      evidence: '--env-file .env',
      path: 'container.args[3]',
    });
    expect(decide(['uvicorn', 'a:b', '--env-file', '.env', '--workers', '1']).outcome).toBe('single');
    expect(decide(['uvicorn', 'a:b', '--env-file', '.env'], { WEB_CONCURRENCY: '1' }).outcome).toBe('single');
  });

  it('reports unknown and per-CPU counts', () => {
    expect(decide(['uvicorn', 'a:b', '--workers', '?$(W)'])).toMatchObject({
      outcome: 'unknown',
      why: 'test reason',
    });
    expect(decide(['uvicorn', 'a:b', '--workers', '?$((2*$(nproc)+1))'])).toMatchObject({
      outcome: 'multiple',
      workers: null,
    });
    expect(decide(['uvicorn', 'a:b', '--workers', '?$(nproc)'])).toMatchObject({ outcome: 'unknown' });
    expect(
      decide(['uvicorn', 'a:b'], { WEB_CONCURRENCY: { unknown: 'WEB_CONCURRENCY comes from a Secret' } }),
    ).toMatchObject({
      outcome: 'unknown',
      why: 'WEB_CONCURRENCY comes from a Secret',
      path: 'container.env[0]',
    });
  });

  it('does not read the value of another option as --reload', () => {
    expect(decide(['uvicorn', 'a:b', '--root-path', '--reload', '--workers', '2']).outcome).toBe('multiple');
  });

  it('names the exact change', () => {
    expect(uvicorn.fix(decide(['uvicorn', 'a:b', '--workers', '4']))).toBe(
      'drop `--workers 4` (or set `--workers 1`)',
    );
    expect(uvicorn.fix(decide(['uvicorn', 'a:b'], { WEB_CONCURRENCY: '4' }))).toBe(
      'set WEB_CONCURRENCY=1 (or remove it), or pass `--workers 1` on the command line',
    );
  });
});

describe('uvicorn fixes for unknown counts', () => {
  it('points an env file and an unreadable reload switch at the command line', () => {
    const envFile = uvicorn.decide(command(['uvicorn', 'a:b', '--env-file', '.env']));
    expect(uvicorn.fix(envFile)).toBe('pass `--workers 1` on the command line (it wins over the env file)');
    const reload = uvicorn.decide(
      command(['uvicorn', 'a:b', '--workers', '4'], { UVICORN_RELOAD: { unknown: 'valueFrom' } }),
    );
    expect(uvicorn.fix(reload)).toBe('drop `--workers 4` (or set `--workers 1`)');
  });
});
