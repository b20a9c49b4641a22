import { unicorn } from '../../src/servers/unicorn/rule';
import { command } from './hand';

describe('unicorn rule', () => {
  it('recognises unicorn and unicorn_rails', () => {
    expect(unicorn.recognise(command(['unicorn']))).toBe(true);
    expect(unicorn.recognise(command(['bundle', 'exec', 'unicorn_rails']))).toBe(true);
    expect(unicorn.recognise(command(['puma']))).toBe(false);
  });

  it('warns that the count is in the -c file', () => {
    expect(unicorn.decide(command(['unicorn', '-c', 'config/unicorn.rb']))).toEqual({
      outcome: 'unknown',
      evidence: '-c config/unicorn.rb',
      path: 'command[2]',
      why: 'the worker count is `worker_processes` in config/unicorn.rb, which oneproc cannot read here',
    });
  });

  it('reads `--config`, the unambiguous prefix Ruby OptionParser accepts for --config-file', () => {
    expect(unicorn.decide(command(['unicorn', '--config', 'u.rb'])).outcome).toBe('unknown');
    expect(unicorn.decide(command(['unicorn_rails', '--config=u.rb'])).outcome).toBe('unknown');
  });

  it('skips the values of --eval, --server and --pid (no config there)', () => {
    expect(unicorn.decide(command(['unicorn', '-e', '-c', 'x.ru'])).outcome).toBe('single');
    expect(unicorn.decide(command(['unicorn', '-s', '-c'])).outcome).toBe('single');
    expect(unicorn.decide(command(['unicorn', '--pid', '-c'])).outcome).toBe('single');
  });

  it('reads -w as --warn and no config as one worker', () => {
    expect(unicorn.decide(command(['unicorn', '-w', '-p', '8080'])).outcome).toBe('single');
  });

  it('does not take a port value for a config file', () => {
    expect(unicorn.decide(command(['unicorn', '-p', '-c'])).outcome).toBe('single');
  });

  it('names the fix', () => {
    const decision = unicorn.decide(command(['unicorn', '-c', 'u.rb']));
    expect(unicorn.fix(decision)).toBe('set `worker_processes 1` in the unicorn config file');
  });
});
