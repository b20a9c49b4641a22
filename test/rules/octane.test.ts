import { octane } from '../../src/servers/octane/rule';
import { command } from './hand';

describe('octane rule', () => {
  it('recognises the octane start commands through php artisan or ./artisan', () => {
    expect(octane.recognise(command(['php', 'artisan', 'octane:start']))).toBe(true);
    expect(octane.recognise(command(['./artisan', 'octane:frankenphp']))).toBe(true);
    expect(octane.recognise(command(['php', 'artisan', 'octane:status']))).toBe(false);
    expect(octane.recognise(command(['php', 'artisan', 'serve']))).toBe(false);
    expect(octane.recognise(command(['php', '-S', '0.0.0.0:8000']))).toBe(false);
  });

  it('reads the auto default as one or more workers per CPU', () => {
    expect(octane.decide(command(['php', 'artisan', 'octane:swoole']))).toMatchObject({
      outcome: 'multiple',
      workers: null,
      path: 'command[2]',
    });
  });

  it('reads --workers=N and --workers N', () => {
    expect(octane.decide(command(['php', 'artisan', 'octane:start', '--workers=3']))).toMatchObject({
      outcome: 'multiple',
      workers: 3,
      evidence: '--workers=3',
    });
    expect(octane.decide(command(['php', 'artisan', 'octane:start', '--workers', '1'])).outcome).toBe(
      'single',
    );
  });

  it('names the fix', () => {
    expect(octane.fix(octane.decide(command(['php', 'artisan', 'octane:start'])))).toBe('add `--workers=1`');
  });
});
