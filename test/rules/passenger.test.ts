import { PASSENGER_DEFAULT_MAX_POOL_SIZE, passenger } from '../../src/servers/passenger/rule';
import { command } from './hand';

describe('passenger rule', () => {
  it('recognises passenger start only', () => {
    expect(passenger.recognise(command(['passenger', 'start']))).toBe(true);
    expect(passenger.recognise(command(['passenger', '--port', '3000', 'start']))).toBe(true);
    expect(passenger.recognise(command(['passenger', 'stop']))).toBe(false);
    expect(passenger.recognise(command(['passenger-config', 'about']))).toBe(false);
  });

  it('reads the default pool as 6 processes, at the start word', () => {
    expect(passenger.decide(command(['passenger', 'start']))).toEqual({
      outcome: 'multiple',
      workers: PASSENGER_DEFAULT_MAX_POOL_SIZE,
      evidence: 'passenger start',
      path: 'command[1]',
      why: 'the default pool spawns up to 6 application processes on demand',
    });
  });

  it('reads --max-pool-size, then PASSENGER_MAX_POOL_SIZE', () => {
    expect(passenger.decide(command(['passenger', 'start', '--max-pool-size', '1'])).outcome).toBe('single');
    expect(passenger.decide(command(['passenger', 'start'], { PASSENGER_MAX_POOL_SIZE: '2' }))).toMatchObject(
      {
        outcome: 'multiple',
        workers: 2,
        path: 'env[0].value',
      },
    );
  });

  it('names the fix', () => {
    expect(passenger.fix(passenger.decide(command(['passenger', 'start'])))).toContain('--max-pool-size 1');
  });
});
