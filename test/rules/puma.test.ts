import { puma } from '../../src/servers/puma/rule';
import { command } from './hand';

describe('puma rule', () => {
  it('recognises puma, bundle exec puma and rails server, not other rails commands', () => {
    expect(puma.recognise(command(['puma']))).toBe(true);
    expect(puma.recognise(command(['bundle', 'exec', 'puma', '-w', '2']))).toBe(true);
    expect(puma.recognise(command(['bin/rails', 's']))).toBe(true);
    expect(puma.recognise(command(['bin/rails', 'server', '-p', '3000']))).toBe(true);
    expect(puma.recognise(command(['bin/rails', 'db:migrate']))).toBe(false);
    expect(puma.recognise(command(['bundle', 'exec', 'sidekiq']))).toBe(false);
  });

  it('reads -w N after bundle exec with the value word as path', () => {
    expect(puma.decide(command(['bundle', 'exec', 'puma', '-w', '4']))).toEqual({
      outcome: 'multiple',
      workers: 4,
      evidence: '-w 4',
      path: 'command[4]',
    });
  });

  it('treats -w 1 (one cluster worker) and -w 0 (single mode) as one process', () => {
    expect(puma.decide(command(['puma', '-w', '1'])).outcome).toBe('single');
    expect(puma.decide(command(['puma', '-w', '0'])).outcome).toBe('single');
  });

  it('reads WEB_CONCURRENCY as the default count', () => {
    expect(puma.decide(command(['puma'], { WEB_CONCURRENCY: '3' }))).toMatchObject({
      outcome: 'multiple',
      workers: 3,
      path: 'env[0].value',
    });
    expect(puma.decide(command(['puma'], { WEB_CONCURRENCY: 'auto' }))).toMatchObject({
      outcome: 'multiple',
      workers: null,
    });
  });

  it('warns about a named config file without a count on the command line', () => {
    const decision = puma.decide(command(['puma', '-C', 'config/puma.rb']));
    expect(decision).toMatchObject({ outcome: 'unknown', path: 'command[2]' });
    expect(puma.fix(decision)).toContain('-w 0');
  });

  it('keeps rails server with WEB_CONCURRENCY > 1 a warning', () => {
    expect(puma.decide(command(['bin/rails', 'server'], { WEB_CONCURRENCY: '4' }))).toMatchObject({
      outcome: 'unknown',
      path: 'env[0].value',
    });
    expect(puma.decide(command(['bin/rails', 'server'])).outcome).toBe('single');
  });

  it('names the exact change in fix()', () => {
    const decision = puma.decide(command(['puma', '-w', '4']));
    expect(puma.fix(decision)).toBe("drop `-w 4` (Puma's single mode) or use `-w 1`");
  });
});
