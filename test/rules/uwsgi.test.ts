import { uwsgi } from '../../src/servers/uwsgi/rule';
import { command } from './build';

const decide = (argv: string[], env = {}) => uwsgi.decide(command(argv, env));

describe('uWSGI rule', () => {
  it('recognises uwsgi and the Debian plugin binaries', () => {
    expect(uwsgi.recognise(command(['/usr/bin/uwsgi']))).toBe(true);
    expect(uwsgi.recognise(command(['uwsgi_python3']))).toBe(true);
    expect(uwsgi.recognise(command(['uwsgitop']))).toBe(false);
  });

  it('reads -p, -pN, --processes and --workers as one option, the last one winning', () => {
    expect(decide(['uwsgi', '-p', '4'])).toEqual({
      outcome: 'multiple',
      workers: 4,
      evidence: '-p 4',
      path: 'container.args[2]',
    });
    expect(decide(['uwsgi', '-p3'])).toMatchObject({ workers: 3, evidence: '-p3' });
    expect(decide(['uwsgi', '--workers', '2', '--processes=5'])).toMatchObject({ workers: 5 });
    expect(decide(['uwsgi', '--processes=5', '-p', '1']).outcome).toBe('single');
  });

  it('reads integers the way atoi does', () => {
    expect(decide(['uwsgi', '--processes', '%k']).outcome).toBe('single');
    expect(decide(['uwsgi', '--processes', '4workers'])).toMatchObject({ workers: 4 });
  });

  it('does not read -w (the wsgi module) or the values of other options as counts', () => {
    expect(decide(['uwsgi', '-w', '4', '--threads', '8', '-s', '-p'])).toEqual({ outcome: 'single' });
  });

  it('applies the environment before the command line', () => {
    expect(decide(['uwsgi', '-p', '1'], { UWSGI_PROCESSES: '4' }).outcome).toBe('single');
    expect(decide(['uwsgi'], { UWSGI_WORKERS: '4' })).toMatchObject({
      workers: 4,
      evidence: 'UWSGI_WORKERS=4',
      path: 'container.env[0].value',
    });
  });

  it('applies config files in order and positional ones last', () => {
    expect(decide(['uwsgi', '--ini', 'a.ini', '-p', '1']).outcome).toBe('single');
    expect(decide(['uwsgi', '-p', '1', '--ini', 'a.ini'])).toMatchObject({
      outcome: 'unknown',
      evidence: '--ini a.ini',
    });
    expect(decide(['uwsgi', 'a.ini', '-p', '1'])).toMatchObject({ outcome: 'unknown', evidence: 'a.ini' });
  });

  it('keeps values the shell could not resolve unknown, and per-CPU formulas', () => {
    expect(decide(['uwsgi', '-p', '?$(W)'])).toMatchObject({ outcome: 'unknown', why: 'test reason' });
    expect(decide(['uwsgi', '-p', '?$((2*$(nproc)))'])).toMatchObject({ outcome: 'multiple', workers: null });
    expect(decide(['uwsgi'], { UWSGI_PROCESSES: { unknown: 'from a Secret' } })).toMatchObject({
      outcome: 'unknown',
      why: 'from a Secret',
    });
  });

  it('names the exact change', () => {
    expect(uwsgi.fix(decide(['uwsgi', '--processes', '4']))).toBe(
      'drop `--processes 4` (or set `--processes 1`)',
    );
    expect(uwsgi.fix(decide(['uwsgi'], { UWSGI_PROCESSES: '4' }))).toContain('set UWSGI_PROCESSES=1');
  });
});
